import { ApiError } from "../../api/client.ts";
import { h } from "../../dom.ts";
import type { Child } from "../../dom.ts";
import { t } from "../../i18n.ts";
import type { MessageKey } from "../../i18n.ts";
import { explain } from "../errors.ts";
import type { Ctx } from "../state.ts";
import { downloadName, saveDownload } from "../download.ts";

/**
 * A failure in the admin area, in words: a refusal (the last admin, yourself, not found) is the
 * gateway's own sentence, which says what to do; the rest as the chat explains them.
 */
export function adminError(error: unknown): string {
  if (error instanceof ApiError && [400, 403, 404, 409, 413].includes(error.status))
    return error.message;
  return explain(error);
}

/** The line where a screen says what went wrong (announced as it changes). */
export const errorLine = (id: string) => h("p", { class: "form-error", role: "alert", id });

/** A wide table in a region that scrolls sideways by keyboard too (it can take focus). */
export function tableRegion(label: string, table: HTMLTableElement): HTMLElement {
  return h("div", { class: "table-wrap", role: "region", "aria-label": label, tabindex: 0 }, table);
}

export interface Column<T> {
  heading: MessageKey;
  cell: (row: T) => Node | string;
  /** A number column: aligned right. */
  numeric?: boolean;
}

/**
 * A table of rows; on a phone each row becomes a card whose cells carry their column's name
 * (`data-label`, shown by the stylesheet).
 */
export function dataTable<T>(
  id: string,
  caption: string,
  columns: ReadonlyArray<Column<T>>,
  rows: readonly T[],
  rowId?: (row: T) => string,
): HTMLTableElement {
  return h(
    "table",
    { class: "data stack", id },
    h("caption", { class: "offscreen-caption" }, caption),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...columns.map((c) =>
          h("th", { scope: "col", class: c.numeric ? "num" : "" }, t(c.heading)),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      ...rows.map((row) =>
        h(
          "tr",
          rowId ? { "data-id": rowId(row) } : {},
          ...columns.map((c) =>
            h("td", { "data-label": t(c.heading), class: c.numeric ? "num" : "" }, c.cell(row)),
          ),
        ),
      ),
    ),
  );
}

/** The "more" button under a paged list; nothing on the last page. */
export function moreButton(
  id: string,
  nextCursor: string | null,
  onMore: () => void,
): HTMLElement | null {
  return nextCursor
    ? h("button", { type: "button", class: "small more", id, onclick: onMore }, t("adminMore"))
    : null;
}

/** Downloads an export route's JSONL under the gateway's file name. */
export async function downloadExport(ctx: Ctx, path: string, fallback: string): Promise<void> {
  const response = await ctx.api.request("GET", path, undefined, {
    accept: "application/x-ndjson",
  });
  saveDownload(await response.blob(), downloadName(response, fallback));
}

/** A query string of the values that are set. */
export function query(values: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values))
    if (value !== null && value !== undefined && value !== "") params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** An admin screen: the section `admin-NAME`, labelled by its heading `title`, then `children`. */
export function adminSection(name: string, title: string, ...children: Child[]): HTMLElement {
  return h(
    "section",
    { class: "admin-section", id: `admin-${name}`, "aria-labelledby": `admin-${name}-title` },
    h("h3", { id: `admin-${name}-title` }, title),
    ...children,
  );
}

/** A toolbar's labelled control, `id` naming the control. */
export function inlineField(id: string, label: string, control: HTMLElement): HTMLElement {
  return h("p", { class: "field inline" }, h("label", { for: id }, label), control);
}

/** The ⤓ JSONL export button: runs `download`, a failure shown in `error`. */
export function exportJsonlButton(
  id: string,
  error: HTMLElement,
  download: () => Promise<unknown>,
): HTMLButtonElement {
  return h(
    "button",
    {
      type: "button",
      class: "small",
      id,
      onclick: () => {
        error.textContent = "";
        download().catch((e: unknown) => {
          error.textContent = adminError(e);
        });
      },
    },
    `⤓ ${t("exportJsonl")}`,
  );
}
