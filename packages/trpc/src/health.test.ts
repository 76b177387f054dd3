import { describe, expect, it } from "vitest";
import { createHealthReporter } from "./health.ts";

describe("health reporter", () => {
  it("runs the checks once per cache period however many ask, then again after it", async () => {
    let runs = 0;
    const health = createHealthReporter({
      service: "gateway",
      cacheMs: 200,
      checks: [
        {
          name: "auth",
          check: async () => {
            runs += 1;
            await new Promise((resolve) => setTimeout(resolve, 20));
            return { name: "auth", ok: true };
          },
        },
      ],
    });
    const reports = await Promise.all(Array.from({ length: 50 }, () => health.readiness()));
    expect(reports.every((r) => r.status === "ok")).toBe(true);
    expect(runs).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await health.readiness();
    expect(runs).toBe(2);
  });

  it("asks the dependencies every time without a cache period", async () => {
    let runs = 0;
    const health = createHealthReporter({
      service: "auth",
      checks: [{ name: "db", check: () => Promise.resolve({ name: "db", ok: (runs += 1) > 0 }) }],
    });
    await health.readiness();
    await health.readiness();
    expect(runs).toBe(2);
  });
});
