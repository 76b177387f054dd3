/** Title of a session that has no question yet. */
export const DEFAULT_TITLE = "New chat";
const MAX_AUTO_TITLE_CHARS = 60;

/** A short title from the first question: one line, cut at a word boundary when long. */
export function autoTitle(question: string): string {
  const line = question.replace(/\s+/g, " ").trim();
  // Count code points, not UTF-16 units, so a cut never splits a character.
  const chars = Array.from(line);
  if (chars.length <= MAX_AUTO_TITLE_CHARS) return line;
  const head = chars.slice(0, MAX_AUTO_TITLE_CHARS).join("");
  const lastSpace = head.lastIndexOf(" ");
  // Korean sentences have spaces too; a very early space would leave a stub, so cut hard then.
  const cut = lastSpace >= MAX_AUTO_TITLE_CHARS / 2 ? head.slice(0, lastSpace) : head;
  return `${cut.trimEnd()}…`;
}
