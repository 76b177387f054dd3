import { existsSync, readdirSync, readFileSync } from "node:fs";

/** Signals a whole process group; false when nothing of it is left. Signal 0 only probes. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    // ESRCH: nothing left in the group.
    return false;
  }
}

// Fields of /proc/PID/stat after the ")" that ends the command name: state, ppid, pgrp.
function procState(pid: string): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return state === undefined || pgrp === undefined ? undefined : { state, pgrp: Number(pgrp) };
  } catch {
    return undefined;
  }
}

// Orphaned grandchildren are reaped by PID 1, which in containers may be slow or never do it;
// a zombie holds no port or file, so on Linux it does not count as running.
const canReadProc = process.platform === "linux" && existsSync("/proc/self/stat");

function signalPid(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True while `pid` exists and is not a zombie. */
export function isProcessRunning(pid: number): boolean {
  if (!canReadProc) return signalPid(pid);
  const proc = procState(String(pid));
  return proc !== undefined && proc.state !== "Z";
}

/** True while any process of group `pgid` exists and is not a zombie. */
export function isGroupRunning(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (!canReadProc) return true;
  return readdirSync("/proc").some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    const proc = procState(entry);
    return proc !== undefined && proc.pgrp === pgid && proc.state !== "Z";
  });
}

/** Resolves once nothing of group `pgid` runs any more, or after about five seconds. */
export async function waitForGroupGone(pgid: number): Promise<void> {
  for (let i = 0; i < 250 && isGroupRunning(pgid); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
