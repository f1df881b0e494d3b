// The settings view's words and the small pieces of form logic it needs, kept out of the
// components so they are tested alone. Every refusal comes from the engine (check_settings); this
// file only says where a problem belongs and what each field means.
import type { CallbackConfig, EndpointConfig, EndpointKind, Problem, SettingsForm } from "../ipc";

/** The engine's message for one field (`endpoints.0.url`), or null. */
export function problemAt(problems: Problem[], field: string): string | null {
  return problems.find((p) => p.field === field)?.message ?? null;
}

/** Whether any problem lies at or under `prefix` (`endpoints.2`). */
export function anyUnder(problems: Problem[], prefix: string): boolean {
  return problems.some((p) => p.field === prefix || p.field.startsWith(`${prefix}.`));
}

/** The names checked: the form's own list, else the usual ones. */
export function checkedNames(form: SettingsForm, defaults: string[]): string[] {
  return form.names ?? defaults;
}

/** The names that must exist: the form's own list, else www when it is checked. */
export function requiredNames(form: SettingsForm, defaults: string[]): string[] {
  if (form.required) return form.required;
  return checkedNames(form, defaults).includes("www") ? ["www"] : [];
}

export const CALLBACK_KINDS: { kind: CallbackConfig["kind"]; label: string }[] = [
  { kind: "auth", label: "A login provider sends people back here" },
  { kind: "webhook", label: "A service posts events here (payments, email)" },
];

/** Who may sign a webhook's events; empty: the address is only called, never replayed. */
export const WEBHOOK_PROVIDERS: { value: string; label: string }[] = [
  { value: "", label: "Don't replay" },
  { value: "stripe", label: "Stripe" },
  { value: "github", label: "GitHub" },
  { value: "standard", label: "Standard Webhooks (Svix, Resend, Clerk…)" },
];

export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

/** The body helpers the engine fills in for each request it sends. */
export const TEMPLATE_HELPERS: { token: string; means: string }[] = [
  { token: "{{n}}", means: "the request's number in the run (1, 2, 3…)" },
  { token: "{{random}}", means: "16 random hex digits, different for every request, so nothing is answered from a cache" },
  { token: "{{now_ms}}", means: "the time the request is sent, in milliseconds" },
];

/** A kind written in the file (`cached-read` or `cached_read`) as the engine names it. */
export function kindOf(e: EndpointConfig): EndpointKind | null {
  const k = e.kind?.trim().toLowerCase().replaceAll("-", "_");
  return (k as EndpointKind | undefined) ?? null;
}

/** The kind the engine assumes when none is set: GET and HEAD read, everything else writes. */
export function assumedKind(e: EndpointConfig): EndpointKind {
  return kindOf(e) ?? (["GET", "HEAD"].includes((e.method ?? "GET").toUpperCase()) ? "cached_read" : "write");
}

/** An endpoint's extra headers as the text box shows them: one `Name: value` a line. */
export function headerLines(e: EndpointConfig): string {
  return Object.entries(e.headers ?? {})
    .map(([k, v]) => `${k}: ${v ?? ""}`)
    .join("\n");
}

/** The text box's lines back into headers; a line without a colon is kept as a name with no value,
 * so the engine's refusal (not a silent drop) tells the founder what is wrong. */
export function parseHeaderLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const at = line.indexOf(":");
    if (at < 0) out[line.trim()] = "";
    else out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

export function blankEndpoint(): EndpointConfig {
  return { name: "", method: "GET", url: "", headers: {}, body: null, secret: null, secret_header: null, secret_prefix: null, expect_status: null, latency_target_ms: null, kind: null };
}

/** A key's state in words: "saved · ends in …4f", "saved", or "not saved yet". */
export function keyWords(k: { saved: boolean; ends_with: string | null } | undefined): string {
  if (!k?.saved) return "not saved yet";
  return k.ends_with ? `saved · ends in …${k.ends_with}` : "saved";
}

/** The folder a path is in, for starting the next dialog there. */
export function folderOf(path: string): string {
  const at = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return at > 0 ? path.slice(0, at) : path;
}
