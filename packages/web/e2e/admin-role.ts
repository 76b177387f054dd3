import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { testInternalSecret } from "@dogi/testing";
import type { TestStack } from "../../../services/gateway/src/testing/stack.ts";
import { webDir } from "./browser.ts";

const repoRoot = path.resolve(webDir, "../..");
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/**
 * Makes a registered user an admin as the operator does: `dogi admin grant EMAIL` on the host,
 * signed with the stack's internal secret (there is no way to do it from the page).
 */
export async function grantAdmin(stack: TestStack, email: string): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [
      "--import",
      tsxLoader,
      path.join(repoRoot, "packages/cli/src/main.ts"),
      "admin",
      "grant",
      email,
    ],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...Object.fromEntries(Object.entries(stack.ports).map(([k, v]) => [k, String(v)])),
        AUTH_URL: `http://127.0.0.1:${stack.ports.AUTH_PORT}`,
        DATA_DIR: stack.dataDir,
        INTERNAL_SECRET: testInternalSecret,
      },
      timeout: 60_000,
    },
  );
}
