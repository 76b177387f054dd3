import { afterEach, describe, expect, it, vi } from "vitest";
import { buildAndCheck } from "./build-engine.ts";
import type { EngineBuilder } from "./build-engine.ts";

type Smoke = Awaited<ReturnType<EngineBuilder["smokeTest"]>>;

/** A builder whose trial runs answer `smokes` in turn; records what was built and removed. */
function builder(smokes: Smoke[], options: { amx: boolean; buildCode?: number }) {
  const built: boolean[] = [];
  let removed = 0;
  const fake: EngineBuilder = {
    build: async (_gpu, noAmx) => {
      built.push(noAmx);
      return options.buildCode ?? 0;
    },
    smokeTest: async () => smokes.shift() ?? { ok: false, why: "no more answers" },
    removeBuilds: async () => (removed += 1),
    cpuReportsAmx: () => options.amx,
  };
  return { fake, built, removed: () => removed };
}

const crashed: Smoke = { ok: false, why: "killed by SIGSEGV" };
const ran: Smoke = { ok: true, detail: "engine smoke test: 60 prompt tokens, 4 generated" };

describe("dogi build-engine's trial of each build", () => {
  afterEach(() => vi.restoreAllMocks());

  it("keeps a build that runs, building once", async () => {
    const { fake, built, removed } = builder([ran], { amx: true });
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    expect(await buildAndCheck({ gpu: "false", noAmx: false }, fake)).toBe(0);
    expect(built).toEqual([false]);
    expect(removed()).toBe(0);
  });

  it("builds again without AMX when the build dies on a CPU that reports AMX", async () => {
    const { fake, built, removed } = builder([crashed, ran], { amx: true });
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    expect(await buildAndCheck({ gpu: "false", noAmx: false }, fake)).toBe(0);
    expect(built).toEqual([false, true]);
    // The first build goes before the second, which must configure afresh.
    expect(removed()).toBe(1);
    expect(String(errors.mock.calls[0]?.[0])).toMatch(/SIGSEGV.*building again without it/);
  });

  it("removes a build that cannot run, so the service keeps the prebuilt binary", async () => {
    const withAmx = builder([crashed, crashed], { amx: true });
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await buildAndCheck({ gpu: "false", noAmx: false }, withAmx.fake)).toBe(1);
    expect(withAmx.built).toEqual([false, true]);
    expect(withAmx.removed()).toBe(2);
    expect(String(errors.mock.calls.at(-1)?.[0])).toMatch(/was removed; Dogi keeps/);
    // Without AMX to blame there is nothing else to try.
    const noAmx = builder([crashed], { amx: false });
    expect(await buildAndCheck({ gpu: "false", noAmx: false }, noAmx.fake)).toBe(1);
    expect(noAmx.built).toEqual([false]);
    expect(noAmx.removed()).toBe(1);
  });

  it("builds without AMX at once when asked, and stops at a failed build", async () => {
    const asked = builder([ran], { amx: true });
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    expect(await buildAndCheck({ gpu: "false", noAmx: true }, asked.fake)).toBe(0);
    expect(asked.built).toEqual([true]);
    const failing = builder([], { amx: true, buildCode: 3 });
    expect(await buildAndCheck({ gpu: "false", noAmx: false }, failing.fake)).toBe(3);
    expect(failing.removed()).toBe(0);
  });
});
