// The founder's words for statuses, impacts and numbers (shared/VOICE.md), in one place.
import type { Finding, Impact, Status, Summary } from "../ipc";

/** Statuses in reading order: problems first. */
export const SEVERITY: Status[] = ["fail", "warn", "error", "manual", "pass", "skipped"];

export const STATUS_LABEL: Record<Status, string> = {
  fail: "Problem",
  warn: "Needs attention",
  error: "Couldn't check",
  manual: "Your call",
  pass: "Passed",
  skipped: "Skipped",
};

export const IMPACT_LABEL: Record<Impact, string> = {
  downtime: "downtime",
  data_exposure: "customer data exposure",
  deliverability: "email landing in spam",
  user_experience: "slow or broken experience",
  cost: "money",
};

/** Findings grouped by status, in reading order, empty groups left out. */
export function groupBySeverity(findings: Finding[]): { status: Status; findings: Finding[] }[] {
  return SEVERITY.map((status) => ({ status, findings: findings.filter((f) => f.status === status) })).filter(
    (g) => g.findings.length > 0,
  );
}

function plural(n: number, one: string, many: string) {
  return `${n} ${n === 1 ? one : many}`;
}

/** The one-line verdict over a whole audit. */
export function headline(s: Summary): string {
  if (s.fail > 0) return `Not ready for launch yet: ${plural(s.fail, "problem", "problems")} to fix first.`;
  if (s.warn > 0) return `Nearly ready: ${plural(s.warn, "thing needs", "things need")} attention.`;
  if (s.error > 0) return `Partly checked: ${plural(s.error, "check", "checks")} could not run.`;
  return `Ready on everything checked: ${plural(s.pass, "check", "checks")} passed.`;
}

/** "3 minutes ago", "yesterday", or a date. */
export function when(ms: number, now = Date.now()): string {
  const mins = Math.floor((now - ms) / 60000);
  if (mins < 1) return "just now";
  if (mins < 60) return plural(mins, "minute", "minutes") + " ago";
  const hours = Math.floor(mins / 60);
  if (hours < 24) return plural(hours, "hour", "hours") + " ago";
  if (hours < 48) return "yesterday";
  return new Date(ms).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The names discovery found, read from the `dns.discovery` finding's evidence. */
export function foundNames(findings: Finding[]): Set<string> {
  const names = new Set<string>();
  for (const f of findings) {
    if (f.id !== "dns.discovery") continue;
    const list = (f.evidence as { found?: unknown } | null)?.found;
    if (!Array.isArray(list)) continue;
    for (const item of list) if (typeof item?.name === "string") names.add(item.name);
  }
  return names;
}
