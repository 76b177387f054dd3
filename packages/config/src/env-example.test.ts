import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { legacyRules } from "./legacy-settings.ts";
import {
  ZAuthEnv,
  ZGatewayEnv,
  ZInferenceEnv,
  ZLauncherEnv,
  ZRagEnv,
  ZSessionEnv,
} from "./schemas.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const example = fs.readFileSync(path.join(repoRoot, ".env.example"), "utf8");
const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");

/** The variables .env.example shows, set or commented out. */
const documented = new Set(
  example
    .split("\n")
    .map((line) => /^(?:#\s*)?([A-Z][A-Z0-9_]*)=/.exec(line.trim())?.[1])
    .filter((name) => name !== undefined),
);

describe(".env.example and the README", () => {
  it("show every variable a Dogi process reads", () => {
    const read = [ZAuthEnv, ZSessionEnv, ZRagEnv, ZInferenceEnv, ZGatewayEnv, ZLauncherEnv].flatMap(
      (schema) => Object.keys(schema.shape),
    );
    expect([...new Set(read)].filter((name) => !documented.has(name))).toEqual([]);
  });

  it("map every setting of the original Dogi that Dogi understands", () => {
    const section = readme.slice(readme.indexOf("## Moving from the original Dogi"));
    const names = [...new Set(legacyRules.flatMap((rule) => [...rule.names, ...rule.targets]))];
    expect(names.filter((name) => !section.includes(`\`${name}\``))).toEqual([]);
  });
});
