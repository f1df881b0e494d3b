import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { latencyCard } from "./fixtures";
import LatencyCard from "./LatencyCard.svelte";
import { barTitle, change, histogram, ms, targetSide, waterfall } from "./latency-words";

describe("LatencyCard", () => {
  it("says the verdict, before and after, and draws both charts", async () => {
    const onagain = vi.fn();
    const { container } = render(LatencyCard, { card: latencyCard(), busy: false, onagain });
    expect(screen.getByTestId("latency-card").dataset.verdict).toBe("fast_enough");
    expect(screen.getByText("Fast enough")).toBeTruthy();
    expect(screen.getByTestId("latency-change").textContent).toMatch(/p95 420 ms → now 180 ms, 57 % faster\./);
    expect(screen.getAllByTestId("histogram-bar")).toHaveLength(3);
    expect(screen.getByTestId("histogram-p95")).toBeTruthy();
    expect(screen.queryByTestId("histogram-target"), "the target is beyond the slowest request").toBeNull();
    expect(container.textContent).toMatch(/every one beat the 400 ms target/);
    expect(screen.getAllByTestId("waterfall-segment")).toHaveLength(5);
    expect(container.textContent).toMatch(/Server working\s*90 ms/);
    await fireEvent.click(screen.getByRole("button", { name: "Measure again" }));
    expect(onagain).toHaveBeenCalledOnce();
  });

  it("a first measurement has no before; a failed save is said", () => {
    const card = { ...latencyCard(500, null), not_saved: "the disk is full" };
    render(LatencyCard, { card, busy: true, onagain: () => {} });
    expect(screen.queryByTestId("latency-change")).toBeNull();
    expect(screen.getByText("Too slow")).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toMatch(/not saved to the history: the disk is full/);
    expect(screen.getByTestId("histogram-target"), "the target falls among the bars").toBeTruthy();
    expect((screen.getByRole("button", { name: "Measuring…" }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe("latency words", () => {
  it("reads milliseconds and changes the way a founder would", () => {
    expect([ms(4.24), ms(180.4), ms(1640)]).toEqual(["4.2 ms", "180 ms", "1.6 s"]);
    const c = latencyCard(400, 390);
    expect(change(c.latest, c.previous)?.tone, "within 5 % is noise").toBe("same");
    const tiny = latencyCard(0.6, 0.4);
    expect(change(tiny.latest, tiny.previous)?.tone, "50 % of half a millisecond is noise too").toBe("same");
    const worse = latencyCard(600, 300);
    expect(change(worse.latest, worse.previous)).toMatchObject({ tone: "fail" });
    expect(change(worse.latest, null)).toBeNull();
  });

  it("lays out the charts inside their boxes", () => {
    const bars = latencyCard().latest.measurement.histogram ?? [];
    const h = histogram(bars, 300, 100, 200, 180);
    expect(h.rects.map((r) => Math.round(r.height))).toEqual([74, 100, 11]);
    expect(h.targetX).not.toBeNull();
    expect(targetSide(bars, 1000)).toBe("below");
    expect(targetSide(bars, 10)).toBe("above");
    const w = waterfall({ dns_ms: 10, connect_ms: 10, tls_ms: 0, ttfb_ms: 70, transfer_ms: 10 }, 200);
    expect(w.total).toBe(100);
    expect(w.segments.map((s) => s.width)).toEqual([20, 20, 0, 140, 20]);
    expect(histogram([], 300, 100, 400, null).rects).toEqual([]);
    expect(barTitle({ from_ms: 30.1, to_ms: 30.2, count: 1 })).toBe("1 request took 30.1 ms to 30.2 ms");
    expect(barTitle({ from_ms: 300, to_ms: 420, count: 7 })).toBe("7 requests took 300 ms to 420 ms");
  });
});
