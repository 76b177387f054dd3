/** The column a process's lines start with, e.g. `auth      | ` for width 9. */
export function prefixFor(name: string, width: number): string {
  return `${name.padEnd(width)} | `;
}

/** `text` with `prefix` before each of its lines, each ending in a newline. */
export function prefixLines(prefix: string, text: string): string {
  return text
    .split("\n")
    .map((line) => `${prefix}${line}\n`)
    .join("");
}
