import { render } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import FindingList from "./FindingList.svelte";
import { finding } from "./fixtures";

describe("FindingList", () => {
  it("groups by severity with problems first and passes folded", () => {
    const findings = [
      finding({ status: "pass", subject: "a" }),
      finding({ status: "warn", subject: "b" }),
      finding({ status: "fail", subject: "c" }),
      finding({ status: "error", subject: "d" }),
    ];
    const { container } = render(FindingList, { props: { findings } });
    const order = [...container.querySelectorAll("section.group")].map((s) => s.getAttribute("data-testid"));
    expect(order).toEqual(["group-fail", "group-warn", "group-error", "group-pass"]);
    const passes = container.querySelector('[data-testid="group-pass"] details') as HTMLDetailsElement;
    expect(passes.open).toBe(false);
    expect(container.querySelector('[data-testid="group-error"] h2')?.textContent).toBe("Couldn't check (1)");
  });
});
