/** A progress line of `dogi backup` and `dogi restore`, on stderr as infra/backup.sh writes its own. */
export function say(message: string): void {
  process.stderr.write(`==> ${message}\n`);
}
