import { describe, expect, it } from "vitest";
import { finding } from "./fixtures";
import { foundNames, groupBySeverity, headline, when } from "./words";

const summary = (fail: number, warn: number, error = 0, pass = 5) => ({ fail, warn, error, pass, skipped: 0, manual: 0 });

describe("words", () => {
  it("headlines put problems before anything else and never call an error a pass", () => {
    expect(headline(summary(2, 1))).toBe("Not ready for launch yet: 2 problems to fix first.");
    expect(headline(summary(0, 1))).toBe("Nearly ready: 1 thing needs attention.");
    expect(headline(summary(0, 0, 3))).toBe("Partly checked: 3 checks could not run.");
    expect(headline(summary(0, 0))).toBe("Ready on everything checked: 5 checks passed.");
  });

  it("groups leave out empty statuses", () => {
    expect(groupBySeverity([finding({ status: "pass" })]).map((g) => g.status)).toEqual(["pass"]);
  });

  it("says when in words", () => {
    const now = 1_800_000_000_000;
    expect(when(now - 30_000, now)).toBe("just now");
    expect(when(now - 5 * 60_000, now)).toBe("5 minutes ago");
    expect(when(now - 3 * 3_600_000, now)).toBe("3 hours ago");
  });
});

describe("foundNames", () => {
  it("reads the names discovery found from its finding", () => {
    const discovery = finding({ id: "dns.discovery", evidence: { found: [{ name: "staging.acme.test" }, { nope: 1 }] } });
    expect([...foundNames([finding(), discovery])]).toEqual(["staging.acme.test"]);
    expect(foundNames([finding()]).size).toBe(0);
  });
});
