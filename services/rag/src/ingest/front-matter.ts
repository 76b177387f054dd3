/** A parsed front matter block: scalar values and lists, as the corpus writes them. */
export type FrontMatter = Record<string, string | string[]>;

/** Splits `---` front matter (a small YAML subset: `key: value`, `key: [a, b]`, `- item` lists) from the body. */
export function splitFrontMatter(text: string): {
  data: FrontMatter;
  body: string;
  bodyOffset: number;
} {
  const match = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (match === null) return { data: {}, body: text, bodyOffset: 0 };
  const data: FrontMatter = {};
  let listKey: string | undefined;
  for (const rawLine of (match[1] ?? "").split(/\r?\n/)) {
    const line = rawLine.replace(/\s+#.*$/, "");
    if (line.trim() === "") continue;
    const item = /^\s*-\s+(.*)$/.exec(line);
    if (item !== null && listKey !== undefined) {
      const list = data[listKey];
      const value = unquote(item[1] ?? "");
      data[listKey] = Array.isArray(list) ? [...list, value] : [value];
      continue;
    }
    const pair = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (pair === null) throw new Error(`front matter line is not "key: value": ${rawLine.trim()}`);
    const key = (pair[1] ?? "").toLowerCase();
    const value = (pair[2] ?? "").trim();
    listKey = value === "" ? key : undefined;
    if (value === "") data[key] = [];
    else if (value.startsWith("[") && value.endsWith("]")) {
      data[key] = value
        .slice(1, -1)
        .split(",")
        .map((part) => unquote(part.trim()))
        .filter((part) => part !== "");
    } else data[key] = unquote(value);
  }
  return { data, body: text.slice(match[0].length), bodyOffset: match[0].length };
}

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  return quoted === null ? value : (quoted[2] ?? "");
}

/** A front matter value as one string (lists joined), or undefined. */
export function scalar(data: FrontMatter, key: string): string | undefined {
  const value = data[key];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(", ") : value;
}
