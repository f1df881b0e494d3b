// The UI's only door to the backend: everything Tauri goes through here, so components stay
// testable without a window and the rest of the UI never imports @tauri-apps/* or bindings.ts.
import { commands, events } from "../bindings";
import type {
  AppError,
  AppInfo,
  AuditFinished,
  AuditProgress,
  AuditResult,
  AuditStarted,
  Report,
  Result,
  RunSummary,
} from "../bindings";

export type {
  AppError,
  AppInfo,
  AuditFinished,
  AuditProgress,
  AuditResult,
  AuditStarted,
  CheckInfo,
  ErrorCode,
  Finding,
  Impact,
  Progress,
  Report,
  RunSummary,
  Status,
  Summary,
} from "../bindings";

/** A backend error as a throwable, keeping the typed `code` for branching. */
export class IpcError extends Error {
  constructor(readonly error: AppError) {
    super(error.message);
  }
  get code() {
    return this.error.code;
  }
}

async function unwrap<T>(call: Promise<Result<T, AppError>>): Promise<T> {
  const r = await call;
  if (r.status === "error") throw new IpcError(r.error);
  return r.data;
}

export const api = {
  runAudit: (domain: string, probeRateLimit = false): Promise<AuditResult> =>
    unwrap(commands.runAudit(domain, probeRateLimit)),
  runDemo: (): Promise<AuditResult> => unwrap(commands.runDemo()),
  cancelAudit: (): Promise<boolean> => unwrap(commands.cancelAudit()),
  listHistory: (limit = 50): Promise<RunSummary[]> => unwrap(commands.listHistory(limit)),
  getRun: (runId: number): Promise<Report> => unwrap(commands.getRun(runId)),
  decideName: (domain: string, name: string, keep: boolean): Promise<null> =>
    unwrap(commands.decideName(domain, name, keep)),
  appInfo: (): Promise<AppInfo> => unwrap(commands.appInfo()),
};

type Unlisten = () => void;

/** Subscribes to the backend's events; returns one function that removes them all. */
export async function subscribe(handlers: {
  started?: (e: AuditStarted) => void;
  progress?: (e: AuditProgress) => void;
  finished?: (e: AuditFinished) => void;
}): Promise<Unlisten> {
  const offs: Unlisten[] = [];
  if (handlers.started) offs.push(await events.auditStarted.listen((e) => handlers.started?.(e.payload)));
  if (handlers.progress) offs.push(await events.auditProgress.listen((e) => handlers.progress?.(e.payload)));
  if (handlers.finished) offs.push(await events.auditFinished.listen((e) => handlers.finished?.(e.payload)));
  return () => offs.forEach((off) => off());
}
