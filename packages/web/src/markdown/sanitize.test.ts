import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./render.ts";
import { isSafeHref, sanitizeTree } from "./sanitize.ts";
import { el, textOf, txt } from "./tree.ts";
import type { MdNode } from "./tree.ts";

const render = (source: string, citations = 0) =>
  sanitizeTree(renderMarkdown(source, { citations }));

/** Every element of a tree, depth first. */
function elements(nodes: readonly MdNode[]): Array<{ tag: string; attrs: Record<string, string> }> {
  return nodes.flatMap((n) =>
    "text" in n ? [] : [{ tag: n.tag, attrs: n.attrs }, ...elements(n.children)],
  );
}

describe("rendering an answer's Markdown", () => {
  it("shows raw HTML, inline and as a block, as the text it is", () => {
    const tree = render(
      'Hi <script>alert(1)</script> <b onclick="x()">b</b>\n\n<div><img src=x onerror=alert(1)></div>',
    );
    const tags = elements(tree).map((e) => e.tag);
    expect(tags).not.toContain("script");
    expect(tags).not.toContain("b");
    expect(tags).not.toContain("img");
    expect(tags).not.toContain("div");
    expect(textOf(tree)).toContain("<script>alert(1)</script>");
    expect(textOf(tree)).toContain("<img src=x onerror=alert(1)>");
  });

  it("never loads an image: a Markdown image becomes its alt text", () => {
    const tree = render("![a cat](https://tracker.example/pixel.png)");
    expect(elements(tree).map((e) => e.tag)).toEqual(["p"]);
    expect(textOf(tree)).toBe("[a cat]");
  });

  it("keeps http links and drops javascript:, data: and obfuscated ones to their text", () => {
    const tree = render(
      "[ok](https://vet.example/a) [x](javascript:alert(1)) [y](data:text/html,<b>) [z](java&#9;script:alert(1))",
    );
    const links = elements(tree).filter((e) => e.tag === "a");
    expect(links.map((l) => l.attrs.href)).toEqual(["https://vet.example/a"]);
    expect(textOf(tree)).toContain("x");
    expect(textOf(tree)).toContain("z");
  });

  it("links [n] to passage n only when the answer has that many citations", () => {
    const tree = render("Bloat is an emergency [1][2]. See also [3] and [10].", 2);
    const cites = elements(tree).filter((e) => e.attrs["data-cite"]);
    expect(cites.map((c) => c.attrs)).toEqual([
      { href: "#cite-1", "data-cite": "1" },
      { href: "#cite-2", "data-cite": "2" },
    ]);
    expect(textOf(tree)).toContain("[3]");
  });

  it("renders headings below the page's own, lists, code and tables", () => {
    const tree = render(
      "# Title\n\n1. one\n2. two\n\n```\n<x>\n```\n\n| a | b |\n|---|--:|\n| 1 | 2 |",
    );
    const tags = elements(tree).map((e) => e.tag);
    expect(tags).toEqual(
      expect.arrayContaining(["h3", "ol", "li", "pre", "code", "table", "th", "td"]),
    );
    expect(tags).not.toContain("h1");
    expect(elements(tree).find((e) => e.tag === "td" && e.attrs.align)?.attrs.align).toBe("right");
  });

  it("renders a half-streamed answer without throwing", () => {
    expect(() => render("**bold but not closed\n\n- item\n- [link](https://a")).not.toThrow();
  });
});

describe("the sanitizer pass over a rendered tree", () => {
  it("removes script-like elements with their content and unwraps unknown ones", () => {
    const hostile = [
      el("p", { onclick: "steal()", style: "color:red", class: "x" }, [
        txt("keep "),
        el("script", {}, [txt("alert(1)")]),
        el("img", { src: "https://evil.example/x.png" }),
        el("span", { onmouseover: "x()" }, [txt("inner")]),
        el("iframe", { src: "https://evil.example" }, [txt("frame text")]),
      ]),
    ];
    const clean = sanitizeTree(hostile);
    expect(clean).toEqual([el("p", {}, [txt("keep "), txt("inner")])]);
  });

  it("drops any attribute but a safe href, list start and cell alignment", () => {
    const clean = sanitizeTree([
      el("a", { href: "https://a.example", target: "_top", "data-cite": "9" }, [txt("a")]),
      el("ol", { start: "3", type: "i" }, []),
      el("td", { align: "center; background:url(x)" }, []),
    ]);
    expect(clean).toEqual([
      el("a", { href: "https://a.example" }, [txt("a")]),
      el("ol", { start: "3" }, []),
      el("td", {}, []),
    ]);
  });

  it("matches tag names whatever their case", () => {
    expect(sanitizeTree([el("SCRIPT", {}, [txt("x")]), el("STRONG", {}, [txt("y")])])).toEqual([
      el("strong", {}, [txt("y")]),
    ]);
  });
});

describe("isSafeHref", () => {
  it.each([
    ["https://vet.example/x", true],
    ["http://vet.example", true],
    ["mailto:vet@example.com", true],
    ["#cite-3", true],
    ["javascript:alert(1)", false],
    ["JaVaScRiPt:alert(1)", false],
    [" java\tscript:alert(1)", false],
    ["vbscript:x", false],
    ["data:text/html;base64,PHNjcmlwdD4=", false],
    ["/relative/path", false],
    ["#elsewhere", false],
  ])("%s → %s", (href, safe) => {
    expect(isSafeHref(href)).toBe(safe);
  });
});
