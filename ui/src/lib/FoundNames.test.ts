import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

// A plain stub rather than vi.fn(): the spy's bookkeeping on a rejected promise is reported as
// an unhandled rejection, though the component handles it.
const calls: unknown[][] = [];
let reply: () => Promise<null> = async () => null;
vi.mock("../ipc", () => ({
  api: {
    decideName: (...args: unknown[]) => {
      calls.push(args);
      return reply();
    },
  },
}));

import FoundNames from "./FoundNames.svelte";

const evidence = {
  found: [
    { name: "old.acme.test", via: "common_name", dangling: true },
    { name: "legacy.acme.test", via: "certificate_log", dangling: false },
  ],
};

describe("FoundNames", () => {
  beforeEach(() => {
    calls.length = 0;
    reply = async () => null;
  });

  it("lists each found name with where it came from", () => {
    const { container } = render(FoundNames, { props: { domain: "acme.test", evidence } });
    const rows = [...container.querySelectorAll("li")].map((li) => li.getAttribute("data-name"));
    expect(rows).toEqual(["old.acme.test", "legacy.acme.test"]);
    expect(screen.getByText(/from a common name, points at something gone/)).toBeTruthy();
    expect(screen.getByText(/from certificate logs/)).toBeTruthy();
  });

  it("saves Keep and Drop, and says what each means", async () => {
    const { container } = render(FoundNames, { props: { domain: "acme.test", evidence } });
    const row = (name: string) => container.querySelector(`li[data-name="${name}"]`) as HTMLElement;
    await fireEvent.click(row("old.acme.test").querySelector("button") as HTMLButtonElement);
    expect(calls).toEqual([["acme.test", "old.acme.test", true]]);
    expect(await screen.findByText("Kept: audited every time.")).toBeTruthy();
    await fireEvent.click(row("legacy.acme.test").querySelectorAll("button")[1] as HTMLButtonElement);
    expect(calls.at(-1)).toEqual(["acme.test", "legacy.acme.test", false]);
    expect(await screen.findByText("Dropped: not offered again.")).toBeTruthy();
  });

  it("keeps the buttons and says why when saving fails", async () => {
    reply = async () => {
      throw new Error("The history database cannot be used.");
    };
    const { container } = render(FoundNames, { props: { domain: "acme.test", evidence } });
    await fireEvent.click(container.querySelector("button") as HTMLButtonElement);
    expect((await screen.findByRole("alert")).textContent).toContain("cannot be used");
    expect(container.querySelectorAll('li[data-name="old.acme.test"] button').length).toBe(2);
  });
});
