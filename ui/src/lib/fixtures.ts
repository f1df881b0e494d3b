// Findings shaped exactly like the backend's, for component tests.
import type { Finding, LatencyCard, Measurement } from "../ipc";

export function finding(over: Partial<Finding> = {}): Finding {
  return {
    id: "tls.cert.expiry",
    area: "tls",
    stage: 2,
    subject: "www.acme.test",
    status: "fail",
    impact: "downtime",
    title: "The certificate of www.acme.test expired 3 days ago.",
    why: "When a certificate runs out, every visitor sees a security warning.",
    detail: "Valid from 2026-08-01 until 2026-11-20 (-3 days left).",
    evidence: { days_left: -3, issuer: "CN=Test CA" },
    fix: ["Check that automatic renewal is on.", "Run this audit again."],
    duration_ms: 12,
    ...over,
  };
}

// A latency card shaped like the backend's: a login page measured twice, faster the second time.
export function latencyCard(p95 = 180, before: number | null = 420): LatencyCard {
  const measurement = (p: number): Measurement => ({
    name: "https://app.acme.test/login",
    url: "https://app.acme.test/login",
    method: "GET",
    kind: "cached_read",
    target_ms: 400,
    warm: { samples: 50, p50_ms: p / 2, p90_ms: p * 0.9, p95_ms: p, p99_ms: p * 1.2, max_ms: p * 1.5, warnings: [] },
    cold: { samples: 10, p50_ms: p + 40, p90_ms: p + 50, p95_ms: p + 60, p99_ms: p + 60, max_ms: p + 60, warnings: [] },
    phases: { dns_ms: 4, connect_ms: 12, tls_ms: 24, ttfb_ms: p / 2, transfer_ms: 2 },
    first_token: null,
    histogram: [
      { from_ms: p / 4, to_ms: p / 2, count: 20 },
      { from_ms: p / 2, to_ms: p, count: 27 },
      { from_ms: p, to_ms: p * 1.5, count: 3 },
    ],
    statuses: { 200: 60 },
    errors: 0,
    first_error: null,
    verdict: p <= 400 ? "fast_enough" : "too_slow",
    says: p <= 400 ? `https://app.acme.test/login is fast enough: 95 of every 100 requests get it within ${p} ms (target 400 ms for a cached read).` : "too slow",
  });
  return {
    latest: { at_ms: Date.now() - 60_000, measurement: measurement(p95) },
    previous: before === null ? null : { at_ms: Date.now() - 86_400_000 * 3, measurement: measurement(before) },
    not_saved: null,
  };
}
