import fs from "node:fs";
import path from "node:path";

/** YYYYMMDD of `date` in local time, the name of that day's log file. */
export function dayStamp(date: Date): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, "0");
  const d = String(date.getDate()).padStart(2, "0");
  return `${y}${m}${d}`;
}

/**
 * A pino destination that appends to `<dir>/YYYYMMDD.log` and switches to a new file when
 * the day changes, so each day's logs live in one file as the original Dogi kept them.
 * Several processes append to the same file; O_APPEND keeps each line whole.
 */
export class DailyFileDestination {
  private fd: number | undefined;
  private openStamp = "";

  constructor(
    private readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  /** The path of the file the next line goes to. */
  currentPath(): string {
    return path.join(this.dir, `${dayStamp(this.now())}.log`);
  }

  write(line: string): boolean {
    const stamp = dayStamp(this.now());
    if (stamp !== this.openStamp || this.fd === undefined) {
      this.close();
      this.fd = fs.openSync(path.join(this.dir, `${stamp}.log`), "a");
      this.openStamp = stamp;
    }
    // Synchronous appends: a crash must not lose the lines that explain it.
    fs.writeSync(this.fd, line);
    return true;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
