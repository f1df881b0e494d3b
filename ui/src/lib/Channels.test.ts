import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

const calls: unknown[][] = [];
let server: number | null = null;
const prefs = () => ({ remind_minutes: null, paused: false, muted_until_ms: null, paths_after_deploy: false, server_channel: server });
vi.mock("../ipc", () => ({
  api: {
    listChannels: async () => [
      { id: 1, name: "team", kind: "slack", hint: "hooks.slack.com/…" },
      { id: 2, name: "phone", kind: "ntfy", hint: "ntfy.sh/…" },
    ],
    watchPrefs: async () => prefs(),
    setServerChannel: async (id: number | null) => {
      calls.push([id]);
      server = id;
      return prefs();
    },
  },
}));

import Channels from "./Channels.svelte";

describe("Channels", () => {
  beforeEach(() => {
    calls.length = 0;
    server = null;
  });

  it("lets the founder say which ntfy topic a server watcher posts to, and only an ntfy one", async () => {
    render(Channels);
    const boxes = await screen.findAllByLabelText(/My server watcher posts here/);
    expect(boxes).toHaveLength(1);
    const box = boxes[0] as HTMLInputElement;
    expect(box.checked).toBe(false);
    await fireEvent.click(box);
    expect(calls).toEqual([[2]]);
    expect((await screen.findByRole("status")).textContent).toContain('reads "phone"');
    await fireEvent.click(box);
    expect(calls).toEqual([[2], [null]]);
  });
});
