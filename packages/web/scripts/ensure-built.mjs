// Builds the chat page when dist/ is missing or older than its sources, so that `pnpm start`
// on a fresh clone serves the page (the root package.json runs this as prestart). Quick when
// nothing changed: it only compares modification times.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const builtFile = path.join(webDir, "dist", "index.html");
// The workspace packages the bundle includes (the SSE parser) count as sources too.
const inputs = ["src", "public", "index.html", "vite.config.ts", "package.json", "../sse/src"];

function newest(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(target))
    latest = Math.max(latest, newest(path.join(target, entry)));
  return latest;
}

const builtAt = existsSync(builtFile) ? statSync(builtFile).mtimeMs : 0;
const changedAt = Math.max(...inputs.map((input) => newest(path.join(webDir, input))));
if (builtAt >= changedAt) process.exit(0);

let build;
try {
  ({ build } = await import("vite"));
} catch {
  // A production install without dev dependencies: the gateway shows its status page instead.
  process.stderr.write(
    "web page not built: vite is not installed (run pnpm install, then pnpm build)\n",
  );
  process.exit(0);
}
process.stdout.write(
  builtAt ? "rebuilding the web page (sources changed)\n" : "building the web page\n",
);
await build({ root: webDir, logLevel: "warn" });
