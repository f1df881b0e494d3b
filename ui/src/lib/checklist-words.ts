// How checklist states look and read: one class, one mark and one word per state, shared by the
// stage path, the items and the minimum bar.
import type { ItemState, Movement, Score } from "../ipc";

/** The colour family of a state (the CSS classes the findings already use). */
export const STATE_TONE: Record<ItemState, "pass" | "warn" | "fail" | "error" | "manual" | "skipped"> = {
  done: "pass",
  attention: "warn",
  not_done: "fail",
  contradiction: "fail",
  couldnt_check: "error",
  open: "manual",
  not_checked: "skipped",
  skipped: "skipped",
};

export const STATE_MARK: Record<ItemState, string> = {
  done: "✓",
  attention: "!",
  not_done: "✗",
  contradiction: "≠",
  couldnt_check: "?",
  open: "•",
  not_checked: "○",
  skipped: "–",
};

export const MOVEMENT_LABEL: Record<Movement, string> = {
  new: "New problem",
  regressed: "Got worse",
  fixed: "Fixed",
  improved: "Got better",
  unknown: "Could not be checked this time",
};

/** "5 of 7 done" with the half-done ones mentioned when there are any. */
export function progressWords(s: Score): string {
  const attention = s.attention > 0 ? `, ${s.attention} need${s.attention === 1 ? "s" : ""} attention` : "";
  return `${s.done} of ${s.counted} done${attention}`;
}

/** The tone of a whole stage on the path. */
export function stageTone(s: Score): "pass" | "warn" | "fail" | "skipped" {
  if (s.counted === 0) return "skipped";
  if (s.done === s.counted) return "pass";
  if (s.done + s.attention > 0) return "warn";
  return "fail";
}
