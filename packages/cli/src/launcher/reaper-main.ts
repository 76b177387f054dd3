// The watchdog process of reaper.ts. Reads "+PGID" / "-PGID" lines on stdin; at end of stdin
// (the launcher ended or died) it stops every group still listed: SIGTERM, then SIGKILL.

const graceMs = Number(process.argv[2] ?? "10000");
const groups = new Set<number>();
let buffered = "";

function alive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pgid: number, name: NodeJS.Signals): void {
  try {
    process.kill(-pgid, name);
  } catch {
    // Already gone.
  }
}

async function reapAll(): Promise<never> {
  const left = [...groups].filter(alive);
  for (const pgid of left) signal(pgid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (left.some(alive) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  for (const pgid of left) signal(pgid, "SIGKILL");
  process.exit(0);
}

// Detached from the terminal already; ignoring these as well keeps it alive until its job is done.
for (const name of ["SIGINT", "SIGHUP"] as const) process.on(name, () => undefined);

process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  const lines = (buffered + chunk).split("\n");
  buffered = lines.pop() ?? "";
  for (const line of lines) {
    const pgid = Number(line.slice(1));
    if (!Number.isInteger(pgid) || pgid <= 1) continue;
    if (line.startsWith("+")) groups.add(pgid);
    else if (line.startsWith("-")) groups.delete(pgid);
  }
});
process.stdin.on("end", () => void reapAll());
process.stdin.on("error", () => void reapAll());
