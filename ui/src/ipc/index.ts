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
  ChannelRow,
  Checklist,
  Diff,
  Format as DocFormat,
  Exported,
  EndpointKind,
  Incident,
  LatencyCard,
  LoadResult,
  MobileView,
  MonitorChanged,
  MonitorOverview,
  MonitorRow,
  MonitorSpec,
  Morning,
  Report,
  Result,
  RunSummary,
  Sample,
  SavedMonitor,
  WatchNotice,
  WatchPrefs,
  WatchStatus,
  SettingsView,
  SettingsForm,
  SettingsChanged,
  Problem,
  KeysView,
  ProviderState,
  Connected,
  FlowInfo,
  FlowResult,
  WebhookInfo,
  WebhookResult,
  Ran,
  PathHistory,
  ChatbotState,
  RedTeamPlan,
  RedTeamRun,
  EvalRun,
  Canary,
  UpdateInfo,
} from "../bindings";

export type {
  UpdateInfo,
  ChatbotState,
  RedTeamPlan,
  RedTeamRun,
  EvalRun,
  EvalReport,
  Canary,
  RedTeamReport,
  AttackPlan,
  LeakExample,
  AttackResult,
  FamilyResult,
  Answered,
  RedTeamChanges,
  EvalChanges,
  Ran,
  Past,
  PathHistory,
  FlowInfo,
  FlowResult,
  WebhookInfo,
  WebhookResult,
  WebhookProvider,
  FlowStatus,
  StepResult,
  SettingsSection,
  KindDefault,
  SettingsChanged,
  SettingsView,
  SettingsForm,
  Problem,
  KeysView,
  ProviderState,
  Connected,
  KeyState,
  EndpointConfig,
  CallbackConfig,
  FlowForm,
  EvalConfig,
  Bar,
  LoadResult,
  MobileView,
  Step,
  Trip,
  EndpointKind,
  LatencyCard,
  Measured,
  Measurement,
  Percentiles,
  Phases,
  Verdict,
  BarLine,
  Change,
  Checklist,
  DecidedBy,
  Diff,
  Format as DocFormat,
  Evidence,
  Exported,
  Gloss,
  HowTo,
  Item,
  ItemState,
  Movement,
  Risk,
  Score,
  StageView,
  Tick,
  AppError,
  AppInfo,
  AuditFinished,
  AuditProgress,
  AuditResult,
  AuditStarted,
  ChannelRow,
  CheckInfo,
  Incident,
  MonitorChanged,
  MonitorOverview,
  MonitorRow,
  MonitorSpec,
  Morning,
  ProbeSpec,
  Sample,
  WatchNotice,
  WatchStatus,
  Window,
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
  runAudit: (domain: string, probeRateLimit = false, certificateLogs = true): Promise<AuditResult> =>
    unwrap(commands.runAudit(domain, probeRateLimit, certificateLogs)),
  runDemo: (): Promise<AuditResult> => unwrap(commands.runDemo()),
  cancelAudit: (): Promise<boolean> => unwrap(commands.cancelAudit()),
  listHistory: (limit = 50): Promise<RunSummary[]> => unwrap(commands.listHistory(limit)),
  getRun: (runId: number): Promise<Report> => unwrap(commands.getRun(runId)),
  decideName: (domain: string, name: string, keep: boolean): Promise<null> =>
    unwrap(commands.decideName(domain, name, keep)),
  appInfo: (): Promise<AppInfo> => unwrap(commands.appInfo()),
  monitorOverview: (domain: string | null = null): Promise<MonitorOverview[]> => unwrap(commands.monitorOverview(domain)),
  morning: (domain: string): Promise<Morning> => unwrap(commands.morning(domain)),
  monitorSamples: (monitorId: number, hours = 24): Promise<Sample[]> => unwrap(commands.monitorSamples(monitorId, hours)),
  listIncidents: (monitorId: number | null = null, limit = 20): Promise<Incident[]> =>
    unwrap(commands.listIncidents(monitorId, limit)),
  addDefaultMonitors: (domain: string): Promise<MonitorRow[]> => unwrap(commands.addDefaultMonitors(domain)),
  saveMonitor: (domain: string, spec: MonitorSpec): Promise<SavedMonitor> => unwrap(commands.saveMonitor(domain, spec)),
  deleteMonitor: (monitorId: number): Promise<boolean> => unwrap(commands.deleteMonitor(monitorId)),
  setMonitorEnabled: (monitorId: number, enabled: boolean): Promise<boolean> =>
    unwrap(commands.setMonitorEnabled(monitorId, enabled)),
  watchStatus: (): Promise<WatchStatus> => unwrap(commands.watchStatus()),
  muteAlerts: (hours: number): Promise<null> => unwrap(commands.muteAlerts(hours)),
  pauseWatching: (paused: boolean): Promise<null> => unwrap(commands.pauseWatching(paused)),
  listChannels: (): Promise<ChannelRow[]> => unwrap(commands.listChannels()),
  addChannel: (kind: string, name: string, url: string, token: string | null): Promise<ChannelRow> =>
    unwrap(commands.addChannel(kind, name, url, token)),
  removeChannel: (channelId: number): Promise<boolean> => unwrap(commands.removeChannel(channelId)),
  testChannel: (channelId: number): Promise<null> => unwrap(commands.testChannel(channelId)),
  watchPrefs: (): Promise<WatchPrefs> => unwrap(commands.watchPrefs()),
  setReminders: (minutes: number | null): Promise<WatchPrefs> => unwrap(commands.setReminders(minutes)),
  setServerChannel: (channelId: number | null): Promise<WatchPrefs> => unwrap(commands.setServerChannel(channelId)),
  checkUpdate: (): Promise<UpdateInfo | null> => unwrap(commands.checkUpdate()),
  installUpdate: (version: string): Promise<null> => unwrap(commands.installUpdate(version)),
  autostartEnabled: (): Promise<boolean> => unwrap(commands.autostartEnabled()),
  setAutostart: (enabled: boolean): Promise<boolean> => unwrap(commands.setAutostart(enabled)),
  getChecklist: (domain: string): Promise<Checklist> => unwrap(commands.getChecklist(domain)),
  tickItem: (domain: string, item: string, done: boolean, note: string): Promise<Checklist> =>
    unwrap(commands.tickItem(domain, item, done, note)),
  whatChanged: (domain: string): Promise<Diff | null> => unwrap(commands.whatChanged(domain)),
  handoverPage: (domain: string): Promise<string> => unwrap(commands.handoverPage(domain)),
  exportHandover: (domain: string, format: DocFormat, path: string | null = null): Promise<Exported> =>
    unwrap(commands.exportHandover(domain, format, path)),
  scanSecrets: (folder: string, history: boolean, domain: string | null): Promise<Report> =>
    unwrap(commands.scanSecrets(folder, history, domain)),
  checkEnv: (example: string, env: string, other: string | null, domain: string | null): Promise<Report> =>
    unwrap(commands.checkEnv(example, env, other, domain)),
  /** The platform's own folder or file dialog; null when it is closed without a choice. */
  pickPath: (kind: "folder" | "file" | "save", title: string, start: string | null = null): Promise<string | null> =>
    unwrap(commands.pickPath(kind, title, start)),
  getSettings: (domain: string): Promise<SettingsView> => unwrap(commands.getSettings(domain)),
  checkSettings: (form: SettingsForm): Promise<Problem[]> => unwrap(commands.checkSettings(form)),
  saveSettings: (domain: string, form: SettingsForm, revision: string): Promise<SettingsView> =>
    unwrap(commands.saveSettings(domain, form, revision)),
  importSettings: (domain: string, path: string, revision: string): Promise<SettingsView> =>
    unwrap(commands.importSettings(domain, path, revision)),
  exportSettings: (domain: string, path: string): Promise<string> => unwrap(commands.exportSettings(domain, path)),
  listKeys: (domain: string): Promise<KeysView> => unwrap(commands.listKeys(domain)),
  setKey: (domain: string, name: string, value: string): Promise<KeysView> => unwrap(commands.setKey(domain, name, value)),
  removeKey: (domain: string, name: string): Promise<KeysView> => unwrap(commands.removeKey(domain, name)),
  listProviders: (domain: string): Promise<ProviderState[]> => unwrap(commands.listProviders(domain)),
  connectProvider: (domain: string, provider: string, token: string): Promise<Connected> =>
    unwrap(commands.connectProvider(domain, provider, token)),
  disconnectProvider: (domain: string, provider: string): Promise<ProviderState[]> => unwrap(commands.disconnectProvider(domain, provider)),
  listFlows: (domain: string): Promise<FlowInfo[]> => unwrap(commands.listFlows(domain)),
  runFlows: (domain: string): Promise<Ran<FlowResult>> => unwrap(commands.runFlows(domain)),
  pathHistory: (domain: string): Promise<PathHistory> => unwrap(commands.pathHistory(domain)),
  setPathsAfterDeploy: (on: boolean): Promise<WatchPrefs> => unwrap(commands.setPathsAfterDeploy(on)),
  listWebhooks: (domain: string): Promise<WebhookInfo[]> => unwrap(commands.listWebhooks(domain)),
  replayWebhook: (domain: string, name: string): Promise<Ran<WebhookResult>> => unwrap(commands.replayWebhook(domain, name)),
  latencyCards: (domain: string): Promise<LatencyCard[]> => unwrap(commands.latencyCards(domain)),
  measureLatency: (domain: string, url: string | null, kind: EndpointKind | null, endpoint: string | null = null): Promise<LatencyCard[]> =>
    unwrap(commands.measureLatency(domain, url, kind, endpoint)),
  mobileView: (domain: string, url: string, then: string[]): Promise<MobileView> => unwrap(commands.mobileView(domain, url, then)),
  explainLoad: (domain: string, url: string, rate: number, durationSecs: number, ramp: boolean): Promise<string> =>
    unwrap(commands.explainLoad(domain, url, rate, durationSecs, ramp)),
  runLoad: (domain: string, url: string, rate: number, durationSecs: number, ramp: boolean): Promise<LoadResult> =>
    unwrap(commands.runLoad(domain, url, rate, durationSecs, ramp)),
  stopLoad: (): Promise<boolean> => unwrap(commands.stopLoad()),
  chatbotState: (domain: string): Promise<ChatbotState> => unwrap(commands.chatbotState(domain)),
  redTeamPlan: (domain: string, generations: number | null = null): Promise<RedTeamPlan> => unwrap(commands.redTeamPlan(domain, generations)),
  runRedTeam: (domain: string, generations: number | null = null): Promise<RedTeamRun> => unwrap(commands.runRedTeam(domain, generations)),
  runEvals: (domain: string): Promise<EvalRun> => unwrap(commands.runEvals(domain)),
  newCanary: (): Promise<Canary> => unwrap(commands.newCanary()),
};

type Unlisten = () => void;

/** Subscribes to the backend's events; returns one function that removes them all. */
export async function subscribe(handlers: {
  started?: (e: AuditStarted) => void;
  progress?: (e: AuditProgress) => void;
  finished?: (e: AuditFinished) => void;
  monitorChanged?: (e: MonitorChanged) => void;
  watchNotice?: (e: WatchNotice) => void;
  settingsChanged?: (e: SettingsChanged) => void;
  updateAvailable?: (e: UpdateInfo) => void;
}): Promise<Unlisten> {
  const offs: Unlisten[] = [];
  if (handlers.started) offs.push(await events.auditStarted.listen((e) => handlers.started?.(e.payload)));
  if (handlers.progress) offs.push(await events.auditProgress.listen((e) => handlers.progress?.(e.payload)));
  if (handlers.finished) offs.push(await events.auditFinished.listen((e) => handlers.finished?.(e.payload)));
  if (handlers.monitorChanged) offs.push(await events.monitorChanged.listen((e) => handlers.monitorChanged?.(e.payload)));
  if (handlers.watchNotice) offs.push(await events.watchNotice.listen((e) => handlers.watchNotice?.(e.payload)));
  if (handlers.settingsChanged) offs.push(await events.settingsChanged.listen((e) => handlers.settingsChanged?.(e.payload)));
  if (handlers.updateAvailable) offs.push(await events.updateAvailable.listen((e) => handlers.updateAvailable?.(e.payload.update)));
  return () => offs.forEach((off) => off());
}
