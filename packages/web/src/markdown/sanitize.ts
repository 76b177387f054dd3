import type { MdElement, MdNode } from "./tree.ts";

// Everything not listed is unwrapped (its text kept); the dangerous tags go with their content.
const ALLOWED = new Set([
  "p",
  "h3",
  "h4",
  "h5",
  "h6",
  "strong",
  "em",
  "del",
  "code",
  "pre",
  "blockquote",
  "hr",
  "br",
  "ul",
  "ol",
  "li",
  "a",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
]);
const DROPPED = new Set([
  "script",
  "style",
  "iframe",
  "object",
  "embed",
  "img",
  "svg",
  "math",
  "video",
  "audio",
  "source",
  "link",
  "meta",
  "base",
  "form",
  "input",
  "button",
  "textarea",
  "select",
  "template",
  "noscript",
  "frame",
  "frameset",
]);
const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:"]);

/** Whether a link target is harmless: http(s), mailto, or one of the answer's citation anchors. */
export function isSafeHref(href: string): boolean {
  // Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const compact = href.replace(/[\u0000-\u0020\u007f-\u009f]/g, "");
  if (/^#cite-\d{1,2}$/.test(compact)) return true;
  try {
    return SAFE_SCHEMES.has(new URL(compact).protocol);
  } catch {
    return false;
  }
}

function cleanAttrs(node: MdElement): Record<string, string> | null {
  const attrs: Record<string, string> = {};
  switch (node.tag) {
    case "a": {
      const href = node.attrs.href ?? "";
      if (!isSafeHref(href)) return null;
      attrs.href = href;
      const cite = node.attrs["data-cite"];
      if (cite !== undefined && /^\d{1,2}$/.test(cite) && href === `#cite-${cite}`)
        attrs["data-cite"] = cite;
      break;
    }
    case "ol": {
      const start = node.attrs.start;
      if (start !== undefined && /^\d{1,6}$/.test(start)) attrs.start = start;
      break;
    }
    case "th":
    case "td": {
      const align = node.attrs.align;
      if (align === "left" || align === "center" || align === "right") attrs.align = align;
      break;
    }
  }
  return attrs;
}

/**
 * The allow-list pass run after rendering: only plain formatting tags, no attributes but safe
 * link targets, list starts and cell alignment; unknown tags unwrapped to their text, script-like
 * tags and images removed; a link to anything but http(s), mailto or a citation becomes its text.
 */
export function sanitizeTree(nodes: readonly MdNode[]): MdNode[] {
  const out: MdNode[] = [];
  for (const node of nodes) {
    if ("text" in node) {
      out.push({ text: String(node.text) });
      continue;
    }
    const tag = String(node.tag).toLowerCase();
    if (DROPPED.has(tag)) continue;
    const children = sanitizeTree(node.children);
    if (!ALLOWED.has(tag)) {
      out.push(...children);
      continue;
    }
    const attrs = cleanAttrs({ ...node, tag });
    if (attrs === null) {
      out.push(...children);
      continue;
    }
    out.push({ tag, attrs, children });
  }
  return out;
}
