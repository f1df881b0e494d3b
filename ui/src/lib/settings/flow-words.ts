// The customer paths' templates as the settings form shows them: each template's fields, in the
// settings file's own names, with the words a founder reads. A field ending in `_key` names a
// keychain entry: its value is set beside it, never written in the file.
import type { FlowForm } from "../../ipc";

export type FlowField = { key: string; label: string; placeholder: string; optional?: boolean; hint?: string };
export type FlowTemplate = { template: string; label: string; what: string; fields: FlowField[] };

export const FLOW_TEMPLATES: FlowTemplate[] = [
  {
    template: "login",
    label: "Sign in",
    what: "Signs in with a test account through your sign-in page (or API), then opens a page only a signed-in customer sees.",
    fields: [
      { key: "login_url", label: "The sign-in page (or sign-in API)", placeholder: "https://app.DOMAIN/login" },
      { key: "signed_in_url", label: "A page only a signed-in customer gets", placeholder: "https://app.DOMAIN/account" },
      { key: "username_key", label: "The test account's email (a key)", placeholder: "test-user" },
      { key: "password_key", label: "The test account's password (a key)", placeholder: "test-password" },
    ],
  },
  {
    template: "chat",
    label: "Chat",
    what: "Starts a chat and sends a second message in the same conversation, as the signed-in test account (your model answers: a few tokens each).",
    fields: [
      { key: "chat_url", label: "The address messages are sent to", placeholder: "https://app.DOMAIN/api/chat" },
      { key: "answer", label: "Where the reply is", placeholder: "reply", hint: "The reply's JSON field (such as reply, or choices.0.message.content), or stream for a streamed answer." },
      { key: "message", label: "The message sent", placeholder: "Hello! This is Preflight checking that chat works after a deploy.", optional: true },
      { key: "key", label: "For a token API: its token (a key)", placeholder: "chat-token", optional: true, hint: "Leave empty when the chat uses the signed-in session." },
    ],
  },
  {
    template: "logout",
    label: "Log out",
    what: "Logs out, then checks the signed-in page no longer opens.",
    fields: [{ key: "logout_url", label: "The logout page or address", placeholder: "https://app.DOMAIN/logout" }],
  },
  {
    template: "password-reset",
    label: "Password reset",
    what: "Asks for a reset link for the test account, waits for the mail in the test mailbox (read-only, over IMAPS) and opens its link.",
    fields: [
      { key: "reset_url", label: "The \"forgot your password\" page", placeholder: "https://app.DOMAIN/reset" },
      { key: "email_key", label: "The test account's email (a key)", placeholder: "test-user" },
      { key: "imap_url", label: "The test mailbox's server", placeholder: "imaps://imap.example.com", hint: "Only imaps:// (the mailbox's password goes only there, encrypted)." },
      { key: "mailbox_user_key", label: "The mailbox's user (a key)", placeholder: "mailbox-user" },
      { key: "mailbox_password_key", label: "The mailbox's password (a key)", placeholder: "mailbox-password" },
      { key: "within_secs", label: "How long the mail may take (seconds)", placeholder: "120", optional: true },
    ],
  },
];

export function templateOf(name: string): FlowTemplate | undefined {
  return FLOW_TEMPLATES.find((t) => t.template === name);
}

/** A new path of `template`, its key fields named the usual way so the keys are shared. */
export function blankFlow(template = "login"): FlowForm {
  const t = templateOf(template);
  const fields: Record<string, string> = {};
  for (const f of t?.fields ?? []) if (f.key.endsWith("_key") && !f.optional) fields[f.key] = f.placeholder;
  return { name: t?.label ?? "", template, fields };
}

/** The fields kept when the template changes: those the new one also has. */
export function switchTemplate(flow: FlowForm, template: string): FlowForm {
  const next = blankFlow(template);
  const known = new Set(templateOf(template)?.fields.map((f) => f.key) ?? []);
  const kept = Object.fromEntries(Object.entries(flow.fields).filter(([k]) => known.has(k)));
  return { ...next, name: flow.name || next.name, fields: { ...next.fields, ...kept } };
}
