// The founder's words and small figures for the monitors dashboard (shared/VOICE.md).
import type { Sample } from "../ipc";

export type MonitorStateName = "up" | "pending" | "down" | "paused";

export const STATE_LABEL: Record<MonitorStateName, string> = {
  up: "Up",
  pending: "Failing, checking again",
  down: "Down",
  paused: "Paused",
};

/** "99.95%", or a dash when there is nothing to measure yet. */
export function pct(v: number | null | undefined): string {
  if (v === null || v === undefined) return "–";
  return `${v >= 99.995 ? "100" : v.toFixed(2)}%`;
}

/** "240 ms", "1.2 s", or a dash. */
export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined) return "–";
  return v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(1)} s`;
}

/** "4 min", "2 h 5 min", "3 days". */
export function duration(msTotal: number): string {
  const mins = Math.floor(msTotal / 60000);
  if (mins < 1) return `${Math.max(1, Math.round(msTotal / 1000))} s`;
  if (mins < 60) return `${mins} min`;
  if (mins < 2880) return mins % 60 === 0 ? `${mins / 60} h` : `${Math.floor(mins / 60)} h ${mins % 60} min`;
  return `${Math.floor(mins / 1440)} days`;
}

/** The sparkline's geometry: a latency polyline and the x positions of failed probes. */
export function sparkline(samples: Sample[], width: number, height: number): { line: string; failures: number[] } {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last) return { line: "", failures: [] };
  const t0 = first.at_ms;
  const span = Math.max(1, last.at_ms - t0);
  const x = (s: Sample) => ((s.at_ms - t0) / span) * width;
  const lat = samples.filter((s) => s.ok && s.latency_ms !== null);
  const top = Math.max(1, ...lat.map((s) => s.latency_ms ?? 0));
  const line = lat.map((s) => `${x(s).toFixed(1)},${(height - ((s.latency_ms ?? 0) / top) * (height - 2) - 1).toFixed(1)}`).join(" ");
  return { line, failures: samples.filter((s) => !s.ok).map((s) => Number(x(s).toFixed(1))) };
}
