import { toDom } from "./dom.ts";
import { renderMarkdown } from "./render.ts";
import type { RenderOptions } from "./render.ts";
import { sanitizeTree } from "./sanitize.ts";

/** An answer's Markdown as safe DOM: rendered, then sanitized, then built without innerHTML. */
export function markdownToDom(source: string, options: RenderOptions): DocumentFragment {
  return toDom(sanitizeTree(renderMarkdown(source, options)));
}
