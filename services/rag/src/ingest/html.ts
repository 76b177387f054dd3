import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import TurndownService from "turndown";

/**
 * A page's parts that are never its content, removed before the main content is picked: code,
 * forms, and the site's own chrome (navigation, site header and footer, sidebars, dialogs).
 */
const CHROME = [
  "script",
  "style",
  "noscript",
  "template",
  "svg",
  "iframe",
  "form",
  "button",
  "nav",
  "aside",
  "header",
  "footer",
  "dialog",
  "[role=navigation]",
  "[role=banner]",
  "[role=contentinfo]",
  "[role=complementary]",
  "[role=dialog]",
  "[role=alertdialog]",
  "[aria-modal=true]",
].join(",");
/** Cookie and consent banners, by the names sites give them. */
const BANNER = /cookie|consent|gdpr|cmp-|onetrust/i;
/** A banner is a few sentences; an element this long is a wrapper that happens to carry the name. */
const BANNER_MAX_CHARS = 600;

/** The DOM calls the table rules make (rag is compiled without the DOM's types). */
interface Queryable {
  nodeName: string;
  parentNode: Queryable | null;
  querySelector(selectors: string): unknown;
  querySelectorAll(selectors: string): { length: number };
}

/** The page as Markdown: headings, lists and tables kept, links reduced to their text. */
const markdown = new TurndownService({
  headingStyle: "atx",
  bulletListMarker: "-",
  codeBlockStyle: "fenced",
  emDelimiter: "*",
});
markdown.remove(["img", "picture", "video", "audio", "figure"]);
// The text is read as passages, not rendered: no backslashes before Markdown's characters.
markdown.escape = (text) => text;
markdown.addRule("linkText", {
  filter: "a",
  replacement: (content) => content,
});
markdown.addRule("tableCell", {
  filter: ["th", "td"],
  replacement: (content) => ` ${content.replace(/\s+/g, " ").replace(/\|/g, "\\|").trim()} |`,
});
markdown.addRule("tableRow", {
  filter: "tr",
  replacement: (content, node) => {
    const row = `|${content}\n`;
    // The first row is the header: Markdown needs a separator line under it.
    let table = node.parentNode as Queryable | null;
    while (table && table.nodeName !== "TABLE") table = table.parentNode;
    if (table?.querySelector("tr") !== node) return row;
    const cells = (node as unknown as Queryable).querySelectorAll("th, td").length;
    return `${row}|${" --- |".repeat(cells)}\n`;
  },
});
markdown.addRule("tableSection", {
  filter: ["thead", "tbody", "tfoot"],
  replacement: (content) => content,
});
markdown.addRule("table", {
  filter: "table",
  replacement: (content) => `\n\n${content.trim()}\n\n`,
});

/**
 * The text of an HTML page as Markdown (so the chunker sees its sections): the page is parsed
 * with a real HTML parser (every character reference decoded), its navigation, header, footer,
 * sidebars and cookie banners dropped, and its main content picked by Mozilla's Readability
 * (the reader view's algorithm), falling back to <main>, <article> or <body> on pages too short
 * for it. Lists and tables stay Markdown lists and tables.
 */
export function htmlToText(html: string): {
  title: string | undefined;
  lang: string | undefined;
  text: string;
} {
  const { document } = parseHTML(html);
  const lang = document.documentElement?.getAttribute("lang")?.trim() || undefined;
  const pageTitle = clean(document.querySelector("title")?.textContent);
  removeChrome(document);
  const heading = clean(
    (document.querySelector("main h1, article h1") ?? document.querySelector("h1"))?.textContent,
  );
  const fallback = document.querySelector("main, article, [role=main]") ?? document.body;
  const fallbackHtml = fallback?.innerHTML ?? "";
  // Readability changes the document it reads; the fallback was taken before.
  const article = new Readability(document as unknown as ReadabilityInput, {
    charThreshold: 200,
  }).parse();
  const body = markdown.turndown(article?.content ?? fallbackHtml).trim();
  const title = withoutSiteName(pageTitle, heading) ?? heading ?? clean(article?.title);
  // Readability takes the page's heading out as its title; the text keeps it as its first line.
  const first = heading ?? title;
  const text = first && !body.startsWith("# ") ? `# ${first}\n\n${body}` : body;
  return {
    title,
    lang,
    text: text
      .replace(/\u00a0/g, " ")
      // Turndown pads list markers to four columns; one space reads as the rest of the corpus.
      .replace(/^(\s*)(-|\d+\.) {2,}/gm, "$1$2 ")
      .replace(/\n{3,}/g, "\n\n")
      .trim(),
  };
}

/** The page's <title>, or its heading when the title is that heading and the site's name. */
function withoutSiteName(pageTitle: string | undefined, heading: string | undefined) {
  if (!pageTitle || !heading || !pageTitle.startsWith(heading)) return pageTitle;
  return /^\s*[-–—|:·•»]/.test(pageTitle.slice(heading.length)) ? heading : pageTitle;
}

type ReadabilityInput = ConstructorParameters<typeof Readability>[0];

function removeChrome(document: ReturnType<typeof parseHTML>["document"]): void {
  for (const element of [...document.querySelectorAll(CHROME)]) {
    const tag = element.tagName.toLowerCase();
    // An article's own header and footer (its title, its date) are content.
    if ((tag === "header" || tag === "footer") && element.parentElement?.closest("article, main"))
      continue;
    element.remove();
  }
  for (const element of [...document.querySelectorAll("[id], [class]")]) {
    const names = `${element.getAttribute("id") ?? ""} ${element.getAttribute("class") ?? ""}`;
    if (BANNER.test(names) && (element.textContent ?? "").length <= BANNER_MAX_CHARS)
      element.remove();
  }
}

function clean(text: string | null | undefined): string | undefined {
  const value = text?.replace(/\s+/g, " ").trim();
  return value ? value : undefined;
}
