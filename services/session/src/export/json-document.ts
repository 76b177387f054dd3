import type { ExportFormat } from "./format.ts";

/** JSON.stringify(value, null, 2) for a value nested `depth` levels deep in the document. */
function nested(value: unknown, depth: number): string {
  // Strings in JSON never hold a raw newline, so every newline here is indentation.
  return JSON.stringify(value, null, 2).replaceAll("\n", `\n${"  ".repeat(depth)}`);
}

/**
 * The document `JSON.stringify({ session, turns, exportedAt }, null, 2)` writes, byte for byte,
 * written a turn at a time (ZSessionExportDocument parses it back).
 */
export const jsonFormat: ExportFormat = {
  name: "json",
  extension: "json",
  contentType: "application/json; charset=utf-8",
  head: (session) => `{\n  "session": ${nested(session, 1)},\n  "turns": [`,
  turn: (turn, position) => `${position === 0 ? "" : ","}\n    ${nested(turn, 2)}`,
  end: (text, turnCount, exportedAt) =>
    `${text}${turnCount === 0 ? "]" : "\n  ]"},\n  "exportedAt": ${JSON.stringify(exportedAt)}\n}\n`,
};
