import { describe, expect, it } from "vitest";
import { assumedKind, blankEndpoint, checkedNames, folderOf, headerLines, keyWords, parseHeaderLines, problemAt, requiredNames } from "./settings-words";
import type { SettingsForm } from "../ipc";

const form = (over: Partial<SettingsForm> = {}): SettingsForm => ({
  domain: "acme.test",
  names: null,
  required: null,
  ignore: [],
  canonical: null,
  previews: [],
  mail_domain: null,
  dkim_selectors: [],
  endpoints: [],
  callbacks: [],
  flows: [],
  evals: [],
  ...over,
});

describe("settings words", () => {
  it("shows the usual names until the founder sets some, and www is required only when checked", () => {
    expect(checkedNames(form(), ["www", "app"])).toEqual(["www", "app"]);
    expect(requiredNames(form(), ["www", "app"])).toEqual(["www"]);
    expect(requiredNames(form({ names: ["app"] }), ["www", "app"])).toEqual([]);
    expect(requiredNames(form({ required: ["app"] }), ["www", "app"])).toEqual(["app"]);
  });

  it("finds a problem at its exact field only", () => {
    const problems = [{ field: "endpoints.1.url", message: "no" }];
    expect(problemAt(problems, "endpoints.1.url")).toBe("no");
    expect(problemAt(problems, "endpoints.10.url")).toBeNull();
  });

  it("reads a kind as the file may write it and guesses one from the method", () => {
    expect(assumedKind({ ...blankEndpoint(), kind: "chat-send" })).toBe("chat_send");
    expect(assumedKind({ ...blankEndpoint(), method: "post" })).toBe("write");
    expect(assumedKind(blankEndpoint())).toBe("cached_read");
  });

  it("keeps a header line without a colon, so the engine can say what is wrong with it", () => {
    const h = parseHeaderLines("Content-Type: application/json\n\nX-Broken\n");
    expect(h).toEqual({ "Content-Type": "application/json", "X-Broken": "" });
    expect(headerLines({ ...blankEndpoint(), headers: h })).toBe("Content-Type: application/json\nX-Broken: ");
  });

  it("says a key's state without its value", () => {
    expect(keyWords(undefined)).toBe("not saved yet");
    expect(keyWords({ saved: true, ends_with: null })).toBe("saved");
    expect(keyWords({ saved: true, ends_with: "4f" })).toBe("saved · ends in …4f");
  });

  it("starts the next dialog in the folder of the last file", () => {
    expect(folderOf("/home/ada/acme/preflight.toml")).toBe("/home/ada/acme");
    expect(folderOf("C:\\code\\acme\\preflight.toml")).toBe("C:\\code\\acme");
  });
});
