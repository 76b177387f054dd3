/** A node of rendered Markdown: an element with attributes and children, or text. */
export type MdNode = MdElement | MdText;

export interface MdElement {
  tag: string;
  attrs: Record<string, string>;
  children: MdNode[];
}

export interface MdText {
  text: string;
}

/** Builds an element node. */
export const el = (
  tag: string,
  attrs: Record<string, string> = {},
  children: MdNode[] = [],
): MdElement => ({ tag, attrs, children });

/** Builds a text node. */
export const txt = (text: string): MdText => ({ text });

/** The text of a tree, without markup. */
export function textOf(nodes: readonly MdNode[]): string {
  return nodes.map((n) => ("text" in n ? n.text : textOf(n.children))).join("");
}
