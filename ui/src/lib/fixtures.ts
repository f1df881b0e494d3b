// Findings shaped exactly like the backend's, for component tests.
import type { Finding } from "../ipc";

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
