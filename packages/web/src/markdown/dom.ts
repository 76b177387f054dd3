import type { MdNode } from "./tree.ts";

/**
 * Builds DOM nodes from a sanitized tree with createElement and text nodes only (never
 * innerHTML), so no string from an answer is ever parsed as HTML.
 */
export function toDom(nodes: readonly MdNode[], doc: Document = document): DocumentFragment {
  const fragment = doc.createDocumentFragment();
  for (const node of nodes) {
    if ("text" in node) {
      fragment.append(doc.createTextNode(node.text));
      continue;
    }
    const element = doc.createElement(node.tag);
    for (const [name, value] of Object.entries(node.attrs)) element.setAttribute(name, value);
    if (node.tag === "a" && !node.attrs["data-cite"]) {
      element.setAttribute("target", "_blank");
      element.setAttribute("rel", "noopener noreferrer nofollow");
    }
    element.append(toDom(node.children, doc));
    fragment.append(element);
  }
  return fragment;
}
