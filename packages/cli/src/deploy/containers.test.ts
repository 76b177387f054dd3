import { describe, expect, it } from "vitest";
import { parsePs, standingOf, statusTable } from "./containers.ts";

const gateway = {
  Service: "gateway",
  State: "running",
  Health: "healthy",
  ExitCode: 0,
  Publishers: [
    { URL: "0.0.0.0", TargetPort: 8080, PublishedPort: 80, Protocol: "tcp" },
    { URL: "::", TargetPort: 8080, PublishedPort: 80, Protocol: "tcp" },
  ],
};
const rag = { Service: "rag", State: "running", Health: "starting", ExitCode: 0, Publishers: null };

describe("parsePs", () => {
  it("reads one JSON object a line (Compose 2.21+) and a JSON array (before)", () => {
    const lines = parsePs(`${JSON.stringify(gateway)}\n${JSON.stringify(rag)}\n`);
    const array = parsePs(JSON.stringify([gateway, rag]));

    expect(lines).toEqual(array);
    expect(lines).toEqual([
      {
        service: "gateway",
        state: "running",
        health: "healthy",
        exitCode: 0,
        urls: ["http://localhost:80"],
      },
      { service: "rag", state: "running", health: "starting", exitCode: 0, urls: [] },
    ]);
    expect(parsePs("")).toEqual([]);
  });
});

describe("standingOf", () => {
  const c = (state: string, health: string) => ({
    service: "s",
    state,
    health,
    exitCode: 0,
    urls: [],
  });

  it("is ready when running and healthy, or running without a healthcheck", () => {
    expect(standingOf([c("running", "healthy")])).toBe("ready");
    expect(standingOf([c("running", "")])).toBe("ready");
    // A service with a healthcheck shows no health for a moment after a crashed container is
    // restarted: that is not ready.
    expect(standingOf([c("running", "")], { healthchecked: true })).toBe("waiting");
    expect(standingOf([c("running", "healthy")], { healthchecked: true })).toBe("ready");
  });

  it("waits for a container starting or not created yet", () => {
    expect(standingOf([c("running", "starting")])).toBe("waiting");
    expect(standingOf([c("created", "")])).toBe("waiting");
    expect(standingOf([])).toBe("waiting");
  });

  it("fails on an exited, restarting or unhealthy container, and on one bad replica of several", () => {
    expect(standingOf([c("exited", "")])).toBe("failed");
    expect(standingOf([c("restarting", "")])).toBe("failed");
    expect(standingOf([c("running", "unhealthy")])).toBe("failed");
    expect(standingOf([c("running", "healthy"), c("running", "unhealthy")])).toBe("failed");
  });
});

describe("statusTable", () => {
  it("has a row per service, with its URL, and says which were never created", () => {
    const table = statusTable(["gateway", "rag", "auth"], parsePs(JSON.stringify([gateway, rag])));

    expect(table.split("\n")).toEqual([
      "SERVICE  STATE        HEALTH    URL",
      "gateway  running      healthy   http://localhost:80",
      "rag      running      starting  -",
      "auth     not created  -         -",
    ]);
  });
});
