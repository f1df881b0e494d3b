import { render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import FindingCard from "./FindingCard.svelte";
import { finding } from "./fixtures";

describe("FindingCard", () => {
  it("shows the verdict, why it matters and numbered fix steps for a problem", () => {
    render(FindingCard, { props: { finding: finding() } });
    expect(screen.getByRole("heading", { level: 3 }).textContent).toBe("The certificate of www.acme.test expired 3 days ago.");
    expect(screen.getByText("Problem")).toBeTruthy();
    expect(screen.getByText(/every visitor sees a security warning/)).toBeTruthy();
    expect(screen.getByText(/Risk: downtime/)).toBeTruthy();
    const steps = screen.getAllByRole("listitem").map((li) => li.textContent);
    expect(steps).toEqual(["Check that automatic renewal is on.", "Run this audit again."]);
  });

  it("keeps the evidence folded by default", () => {
    const { container } = render(FindingCard, { props: { finding: finding() } });
    const details = container.querySelector("details.evidence") as HTMLDetailsElement;
    expect(details).toBeTruthy();
    expect(details.open).toBe(false);
    expect(details.textContent).toContain('"days_left": -3');
  });

  it("shows a pass as a single line without fix steps", () => {
    render(FindingCard, { props: { finding: finding({ status: "pass", title: "www.acme.test points to a server.", fix: [] }) } });
    expect(screen.getByText("Passed")).toBeTruthy();
    expect(screen.queryByText("How to fix it")).toBeNull();
    expect(screen.queryByText(/Risk:/)).toBeNull();
  });

  it("shows the header grade's letter, score and each deduction on the card", () => {
    const evidence = {
      grade: "C",
      score: 50,
      modifiers: [
        { test: "csp-not-implemented", points: -25, says: "No Content-Security-Policy." },
        { test: "x-frame-options-not-implemented", points: -20, says: "Any website can frame this page." },
        { test: "cookies-not-found", points: 0, says: "No cookies." },
      ],
    };
    const { container } = render(FindingCard, {
      props: { finding: finding({ id: "headers.grade", status: "warn", evidence }) },
    });
    const score = container.querySelector('[data-testid="score"]');
    expect(score?.querySelector(".letter")?.textContent).toBe("C");
    expect(score?.textContent).toContain("50 / 100");
    const lost = Array.from(score?.querySelectorAll("li") ?? []).map((li) => li.textContent?.trim());
    expect(lost).toEqual(["-25 No Content-Security-Policy.", "-20 Any website can frame this page."]);
  });
});
