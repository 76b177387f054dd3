/** The column a process's lines start with, e.g. `auth      | ` for width 9. */
export function prefixFor(name: string, width: number): string {
  return `${name.padEnd(width)} | `;
}
