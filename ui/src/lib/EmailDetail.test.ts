import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { JsonValue } from "../bindings";
import EmailDetail from "./EmailDetail.svelte";

const node = (domain: string, via: string, lookups: number, children: JsonValue[] = [], isVoid = false): JsonValue => ({
  domain,
  via,
  lookups,
  void: isVoid,
  problems: [],
  children,
});

describe("EmailDetail", () => {
  it("shows the SPF include tree with the lookups each branch costs", () => {
    const tree = node("acme.test", "record", 12, [node("_spf.google.com", "include", 4), node("gone.test", "include", 0, [], true)]);
    const { container } = render(EmailDetail, { props: { id: "email.spf", evidence: { tree } } });
    const rows = [...container.querySelectorAll("li.spf-node")].map((li) => li.getAttribute("data-domain"));
    expect(rows).toEqual(["acme.test", "_spf.google.com", "gone.test"]);
    expect(container.querySelector('li[data-domain="acme.test"] > .count')?.classList.contains("heavy")).toBe(true);
    expect(screen.getByText("no SPF record")).toBeTruthy();
  });

  it("lists the DKIM keys found", () => {
    const keys = [{ selector: "google", key: { kind: "rsa", bits: 2048, revoked: false, testing: false } }];
    render(EmailDetail, { props: { id: "email.dkim", evidence: { keys } } });
    expect(screen.getByTestId("dkim-keys").textContent).toContain("google: rsa 2048 bits");
  });

  it("offers the record to paste and copies its value", async () => {
    const written: string[] = [];
    Object.defineProperty(navigator, "clipboard", { value: { writeText: async (t: string) => void written.push(t) }, configurable: true });
    const suggested = { type: "TXT", name: "_dmarc.acme.test", value: "v=DMARC1; p=none; rua=mailto:dmarc@acme.test" };
    render(EmailDetail, { props: { id: "email.dmarc", evidence: { suggested } } });
    expect(screen.getByTestId("suggested-record").textContent).toContain("_dmarc.acme.test");
    await fireEvent.click(screen.getByRole("button", { name: "Copy value" }));
    expect(written).toEqual([suggested.value]);
    expect(await screen.findByRole("button", { name: "Copied" })).toBeTruthy();
  });
});
