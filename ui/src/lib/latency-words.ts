// The Speed view's words and chart shapes, kept out of the components so they are tested alone.
// Targets and verdicts come from the engine with each measurement; only their wording is here.
import type { Bar, EndpointKind, Measured, Measurement, MobileView, Percentiles, Phases, Step, Verdict } from "../ipc";

/** What each kind of endpoint is, in the founder's words (the target comes with the measurement). */
export const KINDS: { kind: EndpointKind; label: string }[] = [
  { kind: "cached_read", label: "Page or read (login page, session)" },
  { kind: "chat_send", label: "Sending a chat message" },
  { kind: "streaming_chat", label: "Streamed chat answer (first word)" },
  { kind: "write", label: "Write (sign-up, settings)" },
  { kind: "auth_callback", label: "Return from a login provider" },
  { kind: "webhook", label: "Webhook (payments)" },
];

export const VERDICT: Record<Verdict, { label: string; tone: "pass" | "fail" | "error" }> = {
  fast_enough: { label: "Fast enough", tone: "pass" },
  too_slow: { label: "Too slow", tone: "fail" },
  failing: { label: "Failing", tone: "fail" },
  unknown: { label: "Couldn't measure", tone: "error" },
};

/** Milliseconds as a person reads them: 4.2 ms, 180 ms, 1.6 s. */
export function ms(v: number): string {
  if (v >= 1000) return `${(v / 1000).toFixed(1)} s`;
  if (v < 10) return `${v.toFixed(1)} ms`;
  return `${Math.round(v)} ms`;
}

/** A histogram bar's tooltip: its count and range, with a decimal when the bar is narrower than
 * a millisecond (a fast, steady endpoint fits its 24 bars in 2 ms). */
export function barTitle(b: Bar): string {
  const fine = b.to_ms - b.from_ms < 1;
  const f = (v: number) => (fine && v < 1000 ? `${v.toFixed(1)} ms` : ms(v));
  return `${b.count} ${b.count === 1 ? "request" : "requests"} took ${f(b.from_ms)} to ${f(b.to_ms)}`;
}

/** The figure the verdict is read from: a stream's first token, else the kept-alive requests. */
export function judged(m: Measurement): Percentiles | null {
  if (m.kind === "streaming_chat" && m.first_token) return m.first_token;
  return m.warm;
}

/** "Before and after" in words, or null with no earlier run to compare. */
export function change(latest: Measured, previous: Measured | null): { text: string; tone: "pass" | "fail" | "same" } | null {
  const now = judged(latest.measurement);
  const then = previous ? judged(previous.measurement) : null;
  if (!now || !then || !previous) return null;
  const date = new Date(previous.at_ms).toLocaleDateString(undefined, { month: "short", day: "numeric" });
  const pct = then.p95_ms > 0 ? Math.round(((now.p95_ms - then.p95_ms) / then.p95_ms) * 100) : 0;
  const head = `Before (${date}): p95 ${ms(then.p95_ms)} → now ${ms(now.p95_ms)}`;
  // Within 5 % or 2 ms is the noise of one computer's network (the tolerance the engine's own
  // tests hold the measurement to): call it the same.
  if (Math.abs(now.p95_ms - then.p95_ms) <= Math.max(then.p95_ms * 0.05, 2)) return { text: `${head}, about the same.`, tone: "same" };
  return pct < 0 ? { text: `${head}, ${-pct} % faster.`, tone: "pass" } : { text: `${head}, ${pct} % slower.`, tone: "fail" };
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
  bar: Bar;
}

/** The histogram's bars and marker positions in a `width` × `height` box (a 16 px label strip below). */
export function histogram(
  bars: Bar[],
  width: number,
  height: number,
  target: number,
  p95: number | null,
): { rects: Rect[]; targetX: number | null; p95X: number | null; lo: number; hi: number } {
  const first = bars[0];
  const last = bars[bars.length - 1];
  if (!first || !last) return { rects: [], targetX: null, p95X: null, lo: 0, hi: 0 };
  const lo = first.from_ms;
  const hi = Math.max(last.to_ms, lo + 0.1);
  const x = (v: number) => ((v - lo) / (hi - lo)) * width;
  const tallest = Math.max(...bars.map((b) => b.count), 1);
  const slot = width / bars.length;
  const rects = bars.map((b, i) => {
    const h = (b.count / tallest) * height;
    return { x: i * slot + 1, y: height - h, width: Math.max(slot - 2, 1), height: h, bar: b };
  });
  const inside = (v: number | null) => (v !== null && v >= lo && v <= hi ? x(v) : null);
  return { rects, targetX: inside(target), p95X: inside(p95), lo, hi };
}

/** Where the target falls when it is outside the bars (so no line is drawn): "below" when every
 * request beat it, "above" when every request took longer, null when it is among them. */
export function targetSide(bars: Bar[], target: number): "below" | "above" | null {
  const first = bars[0];
  const last = bars[bars.length - 1];
  if (!first || !last) return null;
  if (last.to_ms < target) return "below";
  return first.from_ms > target ? "above" : null;
}

export interface Segment {
  phase: keyof Phases;
  label: string;
  ms: number;
  x: number;
  width: number;
}

const PHASES: { phase: keyof Phases; label: string }[] = [
  { phase: "dns_ms", label: "Finding the server (DNS)" },
  { phase: "connect_ms", label: "Connecting" },
  { phase: "tls_ms", label: "Securing (TLS)" },
  { phase: "ttfb_ms", label: "Server working" },
  { phase: "transfer_ms", label: "Sending the answer" },
];

/** A new connection's phases laid end to end across `width`, each as long as its median time. */
export function waterfall(p: Phases, width: number): { segments: Segment[]; total: number } {
  const total = PHASES.reduce((sum, { phase }) => sum + p[phase], 0);
  let at = 0;
  const segments = PHASES.map(({ phase, label }) => {
    const w = total > 0 ? (p[phase] / total) * width : 0;
    const s = { phase, label, ms: p[phase], x: at, width: w };
    at += w;
    return s;
  });
  return { segments, total };
}

/** A first visit as a timeline: each request's round trips at the phone's RTT, then its server time. */
export function visit(v: MobileView, width: number): { x: number; width: number; label: string; ms: number }[] {
  const total = Math.max(v.projected_ms, 1);
  let at = 0;
  return v.trips.map((t) => {
    const ms = t.round_trips * v.rtt_ms + t.server_ms;
    const seg = { x: (at / total) * width, width: (ms / total) * width, label: `${t.url}: ${t.round_trips} round trips (${t.why})`, ms };
    at += ms;
    return seg;
  });
}

/** A load test's steps as bars of their p95 against the target, on one scale, and where the
 * target falls on it. */
export function loadChart(steps: Step[], target: number, width: number): { bars: { step: Step; width: number; over: boolean }[]; targetX: number } {
  const top = Math.max(target * 1.25, ...steps.map((s) => s.latency?.p95_ms ?? 0));
  const bars = steps.map((s) => {
    const p95 = s.latency?.p95_ms ?? 0;
    return { step: s, width: (p95 / top) * width, over: p95 > target || s.latency === null };
  });
  return { bars, targetX: (target / top) * width };
}
