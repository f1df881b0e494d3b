import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

const calls: unknown[][] = [];
const state = (connected: boolean) => [
  {
    provider: "cloudflare",
    label: "Cloudflare",
    connected,
    set_at_ms: connected ? Date.now() : null,
    key_name: "cloudflare-token",
    permissions: [["Zone → Zone Settings → Read", "SSL/TLS mode"]],
    where_to_create: "Cloudflare dashboard → My Profile → API Tokens.",
  },
];
let connect: () => Promise<unknown> = async () => ({ says: "Cloudflare: token active; it can read the zone acme.test (active).", providers: state(true) });
vi.mock("../../ipc", () => ({
  api: {
    listProviders: async () => state(false),
    connectProvider: (...args: unknown[]) => {
      calls.push(args);
      return connect();
    },
    disconnectProvider: async (...args: unknown[]) => {
      calls.push(args);
      return state(false);
    },
  },
}));

import Providers from "./Providers.svelte";

describe("Providers", () => {
  beforeEach(() => {
    calls.length = 0;
  });

  it("says what a token needs, checks a pasted one and never keeps it in the page", async () => {
    const { container } = render(Providers, { props: { domain: "acme.test" } });
    expect(await screen.findByText("not connected")).toBeTruthy();
    expect(screen.getByText("Zone → Zone Settings → Read")).toBeTruthy();
    const input = container.querySelector('input[type="password"]') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: "cf-secret-token" } });
    await fireEvent.submit(input.closest("form") as HTMLFormElement);
    expect(calls).toEqual([["acme.test", "cloudflare", "cf-secret-token"]]);
    expect((await screen.findByTestId("provider-says")).textContent).toContain("token active");
    expect(screen.getByTestId("provider-state").textContent).toBe("connected");
    expect(container.innerHTML).not.toContain("cf-secret-token");
  });

  it("shows the provider's refusal and keeps the form", async () => {
    connect = async () => {
      throw new Error("Cloudflare refused the token (Invalid API Token): it is wrong, expired or revoked; nothing was saved");
    };
    const { container } = render(Providers, { props: { domain: "acme.test" } });
    await screen.findByText("not connected");
    const input = container.querySelector('input[type="password"]') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: "bad" } });
    await fireEvent.submit(input.closest("form") as HTMLFormElement);
    expect((await screen.findByRole("alert")).textContent).toContain("nothing was saved");
    expect(container.querySelector('input[type="password"]')).toBeTruthy();
  });
});
