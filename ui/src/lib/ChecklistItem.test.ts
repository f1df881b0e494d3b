import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { Item, Score } from "../ipc";
import ChecklistItem from "./ChecklistItem.svelte";
import { progressWords, stageTone } from "./checklist-words";

function item(over: Partial<Item> = {}): Item {
  return {
    id: "mail.spf",
    stage: 3,
    title: "Inboxes know which services may send email as you",
    good: "One SPF record lists every service that sends your email.",
    why: "Without it, password resets land in spam.",
    checks: ["email.spf"],
    note_prompt: null,
    settings: null,
    state: "not_done",
    state_label: "Not done",
    decided_by: "audit",
    evidence: [
      { check: "email.spf", subject: "acme.test", status: "fail", title: "acme.test has no SPF record.", checked_at_ms: Date.now() - 60_000 },
      { check: "email.spf", subject: "mail.acme.test", status: "pass", title: "mail.acme.test's SPF is valid.", checked_at_ms: null },
    ],
    fix: ["Add a TXT record at the root: v=spf1 include:_spf.google.com ~all"],
    how: [
      { platform: "cloudflare", label: "Cloudflare", steps: ["In Cloudflare: DNS → Records → Add record → TXT."], yours: true },
      { platform: "general", label: "Any host", steps: ["Make one TXT record."], yours: false },
    ],
    glossary: [{ term: "SPF", gloss: "the list of services allowed to send email as your domain" }],
    tick: null,
    ...over,
  };
}

describe("ChecklistItem", () => {
  it("opens on what good looks like, the failing evidence first, the fix, your platform's steps and the glosses", async () => {
    render(ChecklistItem, { item: item(), ontick: () => {} });
    expect(screen.getByTestId("item").dataset.state).toBe("not_done");
    await fireEvent.click(screen.getByRole("button", { name: /Inboxes know/ }));
    expect(screen.getByText(/One SPF record lists/)).toBeTruthy();
    expect(screen.getByTestId("item-evidence").textContent).toMatch(/Problem\s+acme\.test has no SPF record/);
    expect(screen.getByText("1 check passed")).toBeTruthy();
    expect(screen.getByText(/v=spf1 include/)).toBeTruthy();
    const cloudflare = screen.getByText(/How to do it: Cloudflare \(yours\)/).closest("details");
    expect(cloudflare?.open).toBe(true);
    expect(screen.getByText(/How to do it: Any host/).closest("details")?.open).toBe(false);
    expect(screen.getByTestId("glossary").textContent).toMatch(/SPF: the list of services allowed/);
  });

  it("sends the tick with its note, and shows a contradiction plainly", async () => {
    const ticks: [boolean, string][] = [];
    const tick = { item: "mail.spf", done: true, note: "Done by Sam", at_ms: Date.now() - 3_600_000 };
    render(ChecklistItem, { item: item({ state: "contradiction", decided_by: "both", tick }), ontick: (d, n) => ticks.push([d, n]) });
    await fireEvent.click(screen.getByRole("button", { name: /Inboxes know/ }));
    expect(screen.getByRole("alert").textContent).toMatch(/You ticked this 1 hour ago, but the latest audit disagrees/);
    const box = screen.getByRole("textbox") as HTMLTextAreaElement;
    expect(box.value).toBe("Done by Sam");
    await fireEvent.input(box, { target: { value: "Done by Sam; record added" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save note" }));
    await fireEvent.click(screen.getByRole("button", { name: "Untick" }));
    expect(ticks).toEqual([
      [true, "Done by Sam; record added"],
      [false, "Done by Sam; record added"],
    ]);
  });
});

describe("checklist words", () => {
  it("says progress with the half-done part and colours a stage by it", () => {
    const s = (done: number, attention: number, counted: number): Score => ({ done, attention, to_do: counted - done - attention, unknown: 0, counted, percent: 0 });
    expect(progressWords(s(2, 1, 5))).toBe("2 of 5 done, 1 needs attention");
    expect(stageTone(s(5, 0, 5))).toBe("pass");
    expect(stageTone(s(0, 1, 5))).toBe("warn");
    expect(stageTone(s(0, 0, 5))).toBe("fail");
    expect(stageTone(s(0, 0, 0))).toBe("skipped");
  });
});
