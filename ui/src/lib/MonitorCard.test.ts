import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { MonitorOverview, Sample } from "../ipc";
import MonitorCard from "./MonitorCard.svelte";
import { duration, pct, sparkline } from "./watch-words";

const window = (uptime: number | null, p95: number | null) => ({ probes: 10, failures: 1, uptime_pct: uptime, p50_ms: null, p95_ms: p95, p99_ms: null });

function overview(interval = 60): MonitorOverview {
  return {
    monitor: {
      id: 3,
      domain: "acme.test",
      enabled: true,
      spec: {
        name: "Home page",
        interval_secs: interval,
        probe: { kind: "http", url: "https://acme.test/", method: "GET", headers: [], body: null, secret: null, secret_header: null, secret_prefix: null, expect_status: null, up_below: 400, keyword: null, json_field: null, json_equals: null, max_latency_ms: null },
      },
    },
    day: window(99.3, 210),
    week: window(99.95, 240),
    month: window(null, null),
    last_incident: { id: 1, monitor_id: 3, started_at_ms: Date.now() - 3_600_000, ended_at_ms: Date.now() - 3_480_000, cause: "answered with error 503" },
  };
}

const samples: Sample[] = [
  { monitor_id: 3, at_ms: 1000, ok: true, latency_ms: 100, cause: null },
  { monitor_id: 3, at_ms: 2000, ok: false, latency_ms: null, cause: "timed out" },
  { monitor_id: 3, at_ms: 3000, ok: true, latency_ms: 300, cause: null },
];

describe("MonitorCard", () => {
  it("says the state, the figures and the last outage in words", () => {
    render(MonitorCard, { overview: overview(), samples, current: "down", ontoggle: () => {}, ondelete: () => {}, onedit: () => {} });
    expect(screen.getByTestId("monitor").dataset.state).toBe("down");
    expect(screen.getByText("Down")).toBeTruthy();
    expect(screen.getByText("99.95%")).toBeTruthy();
    expect(screen.getByText("240 ms")).toBeTruthy();
    expect(screen.getByTestId("last-incident").textContent).toMatch(/for 2 min: it answered with error 503/);
    expect(screen.getAllByTestId("spark-failure")).toHaveLength(1);
  });

  it("warns under 30 seconds and asks before deleting", async () => {
    let deleted = false;
    render(MonitorCard, { overview: overview(5), samples: [], current: null, ontoggle: () => {}, ondelete: () => (deleted = true), onedit: () => {} });
    expect(screen.getByText(/rarely useful/)).toBeTruthy();
    await fireEvent.click(screen.getByText("Delete…"));
    expect(deleted).toBe(false);
    await fireEvent.click(screen.getByText("Delete"));
    expect(deleted).toBe(true);
  });
});

describe("MonitorCard editing", () => {
  it("edits the address and interval under the same name, and says offline pauses plainly", async () => {
    const edits: unknown[] = [];
    render(MonitorCard, { overview: overview(), samples: [], current: "paused", ontoggle: () => {}, ondelete: () => {}, onedit: (s) => edits.push(s) });
    expect(screen.getByText("Paused: this computer looks offline")).toBeTruthy();
    await fireEvent.click(screen.getByText("Edit"));
    const address = screen.getByLabelText("Address") as HTMLInputElement;
    await fireEvent.input(address, { target: { value: "https://acme.test/status" } });
    await fireEvent.click(screen.getByText("Save"));
    expect(edits).toHaveLength(1);
    const spec = edits[0] as { name: string; probe: { url: string } };
    expect(spec.name).toBe("Home page");
    expect(spec.probe.url).toBe("https://acme.test/status");
  });
});

describe("watch words", () => {
  it("reads figures the way a founder would", () => {
    expect(pct(100)).toBe("100%");
    expect(pct(99.951)).toBe("99.95%");
    expect(pct(null)).toBe("–");
    expect(duration(125 * 60000)).toBe("2 h 5 min");
    const s = sparkline(samples, 100, 20);
    expect(s.failures).toEqual([50]);
    expect(s.line.split(" ")).toHaveLength(2);
  });
});
