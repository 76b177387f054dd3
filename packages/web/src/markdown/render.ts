import { Lexer } from "marked";
import type { Token, Tokens } from "marked";
import { el, txt } from "./tree.ts";
import type { MdNode } from "./tree.ts";

export interface RenderOptions {
  /** How many citations the answer has: "[n]" up to this becomes a link to passage n. */
  citations: number;
}

const CITE = /\[(\d{1,2})\]/g;

/** Plain text, with [n] turned into citation links when n names one of the answer's passages. */
function textWithCitations(text: string, options: RenderOptions): MdNode[] {
  const nodes: MdNode[] = [];
  let last = 0;
  for (const match of text.matchAll(CITE)) {
    const n = Number(match[1]);
    if (n < 1 || n > options.citations) continue;
    if (match.index > last) nodes.push(txt(text.slice(last, match.index)));
    nodes.push(el("a", { href: `#cite-${n}`, "data-cite": String(n) }, [txt(`[${n}]`)]));
    last = match.index + match[0].length;
  }
  if (last < text.length) nodes.push(txt(text.slice(last)));
  return nodes;
}

function inline(tokens: readonly Token[] | undefined, options: RenderOptions): MdNode[] {
  const out: MdNode[] = [];
  for (const token of tokens ?? []) out.push(...inlineToken(token as Tokens.Generic, options));
  return out;
}

function inlineToken(token: Tokens.Generic, options: RenderOptions): MdNode[] {
  switch (token.type) {
    case "strong":
      return [el("strong", {}, inline(token.tokens, options))];
    case "em":
      return [el("em", {}, inline(token.tokens, options))];
    case "del":
      return [el("del", {}, inline(token.tokens, options))];
    case "codespan":
      return [el("code", {}, [txt((token as Tokens.Codespan).text)])];
    case "br":
      return [el("br")];
    case "checkbox":
      return [];
    case "link": {
      const link = token as Tokens.Link;
      return [el("a", { href: link.href }, inline(link.tokens, options))];
    }
    case "image": {
      // Never load an image from an answer (it would call a remote server): show its alt text.
      const image = token as Tokens.Image;
      return [txt(image.text ? `[${image.text}]` : "")];
    }
    case "text":
    case "escape":
      return token.tokens && token.tokens.length > 0
        ? inline(token.tokens, options)
        : textWithCitations((token as Tokens.Text).text, options);
    // Raw HTML is shown as the text it is, never interpreted.
    case "html":
    default:
      return textWithCitations(token.raw, options);
  }
}

function block(tokens: readonly Token[], options: RenderOptions): MdNode[] {
  const out: MdNode[] = [];
  for (const token of tokens) out.push(...blockToken(token as Tokens.Generic, options));
  return out;
}

function blockToken(token: Tokens.Generic, options: RenderOptions): MdNode[] {
  switch (token.type) {
    case "space":
    case "def":
    case "checkbox":
      return [];
    case "heading": {
      const heading = token as Tokens.Heading;
      // Answers sit under the page's own headings: h1 becomes h3, and so on.
      const level = Math.min(6, heading.depth + 2);
      return [el(`h${level}`, {}, inline(heading.tokens, options))];
    }
    case "paragraph":
      return [el("p", {}, inline(token.tokens, options))];
    case "text":
      return [el("p", {}, inline(token.tokens, options))];
    case "code": {
      const code = token as Tokens.Code;
      return [el("pre", {}, [el("code", {}, [txt(code.text)])])];
    }
    case "blockquote":
      return [el("blockquote", {}, block(token.tokens ?? [], options))];
    case "hr":
      return [el("hr")];
    case "list": {
      const list = token as Tokens.List;
      const attrs: Record<string, string> =
        list.ordered && typeof list.start === "number" && list.start !== 1
          ? { start: String(list.start) }
          : {};
      return [
        el(
          list.ordered ? "ol" : "ul",
          attrs,
          list.items.map((item) => {
            const children = item.loose
              ? block(item.tokens, options)
              : item.tokens.flatMap((t) => {
                  const text = t as Tokens.Text;
                  if (t.type !== "text") return blockToken(t as Tokens.Generic, options);
                  return text.tokens
                    ? inline(text.tokens, options)
                    : textWithCitations(text.text, options);
                });
            const box = item.task ? [txt(item.checked ? "☑ " : "☐ ")] : [];
            return el("li", {}, [...box, ...children]);
          }),
        ),
      ];
    }
    case "table": {
      const table = token as Tokens.Table;
      const cell = (tag: string, c: Tokens.TableCell) =>
        el(tag, c.align ? { align: c.align } : {}, inline(c.tokens, options));
      return [
        el("table", {}, [
          el("thead", {}, [
            el(
              "tr",
              {},
              table.header.map((c) => cell("th", c)),
            ),
          ]),
          el(
            "tbody",
            {},
            table.rows.map((row) =>
              el(
                "tr",
                {},
                row.map((c) => cell("td", c)),
              ),
            ),
          ),
        ]),
      ];
    }
    case "html":
    default:
      return [el("p", {}, textWithCitations(token.raw, options))];
  }
}

/** Markdown to a tree (raw HTML kept as text, images as their alt text); sanitize it before use. */
export function renderMarkdown(source: string, options: RenderOptions): MdNode[] {
  const tokens = new Lexer({ gfm: true, breaks: true }).lex(source);
  return block(tokens, options);
}
