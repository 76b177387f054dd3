import { describe, expect, it } from "vitest";
import { serverAvailability, serverGate } from "./binaries.ts";

const missing = {
  available: false,
  reason: "mariadbd not found; install with: apt-get install -y mariadb-server",
};

describe("serverGate", () => {
  it("skips a suite whose server is missing and puts the install hint in its title", () => {
    const gate = serverGate("mariadb", missing, false);
    expect(gate.skip).toBe(true);
    expect(gate.title("startMariaDb")).toBe(`startMariaDb [skipped: ${missing.reason}]`);
  });

  it("fails instead of skipping under CI", () => {
    expect(() => serverGate("mariadb", missing, true)).toThrow(
      /CI=true but the mariadb test server is unavailable: .*apt-get install -y mariadb-server/,
    );
  });

  it("runs the suite with its plain title when the server is there", () => {
    const gate = serverGate("chroma", { available: true, reason: "/path/to/cli.mjs" }, true);
    expect(gate.skip).toBe(false);
    expect(gate.title("startChroma")).toBe("startChroma");
  });
});

describe("serverAvailability", () => {
  it("finds the chroma CLI that the chromadb npm package ships", () => {
    // chromadb is a dependency of this package, so it is always installed with it.
    const chroma = serverAvailability("chroma");
    expect(chroma).toEqual({
      available: true,
      reason: expect.stringMatching(/chromadb[/\\]dist[/\\]cli\.mjs$/),
    });
  });
});
