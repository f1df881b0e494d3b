// How a path's or a replay's status reads in the window: one word and one tone each.
import type { FlowStatus } from "../../ipc";

export const LABEL: Record<FlowStatus, string> = { pass: "Works", fail: "Broken", error: "Couldn't run" };
export const TONE: Record<FlowStatus, string> = { pass: "pass", fail: "fail", error: "error" };
