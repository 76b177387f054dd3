import type { AdminModels } from "../../api/admin-types.ts";
import { h, replaceChildren } from "../../dom.ts";
import { lang, t } from "../../i18n.ts";
import type { Ctx } from "../state.ts";
import { adminError, dataTable, errorLine, tableRegion } from "./common.ts";
import type { Column } from "./common.ts";
import { formatBytes, formatCount } from "./format.ts";

type Model = AdminModels["models"][number];

/** The models screen: what is loaded where, the upstream API, and how to add a model. */
export function modelsView(ctx: Ctx): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, t("loading")));
  const error = errorLine("models-error");
  const columns: Array<Column<Model>> = [
    {
      heading: "modelId",
      cell: (m) =>
        h(
          "span",
          {},
          m.id,
          m.is_default ? h("span", { class: "pill on" }, t("defaultModel")) : null,
        ),
    },
    { heading: "fileName", cell: (m) => h("span", { class: "clip", title: m.file }, m.file) },
    { heading: "size", cell: (m) => formatBytes(m.size_bytes), numeric: true },
    { heading: "quantisation", cell: (m) => m.quantisation ?? "—" },
    {
      heading: "contextSize",
      cell: (m) => (m.context_size === null ? "—" : formatCount(m.context_size, lang())),
      numeric: true,
    },
    { heading: "device", cell: (m) => m.device },
    { heading: "gpuMemory", cell: (m) => formatBytes(m.gpu_memory_bytes), numeric: true },
    {
      heading: "modelState",
      cell: (m) =>
        h(
          "span",
          {},
          h("span", { class: `pill model-${m.state}` }, t(`model_${m.state}`)),
          m.error ? h("span", { class: "model-error" }, ` ${m.error}`) : null,
        ),
    },
  ];
  ctx.api
    .json<AdminModels>("GET", "/v1/admin/models")
    .then((answer) => {
      const upstream = answer.upstream;
      replaceChildren(
        body,
        answer.models.length
          ? tableRegion(
              t("adminModels"),
              dataTable("models-table", t("adminModels"), columns, answer.models, (m) => m.id),
            )
          : h("p", { class: "muted", id: "no-models" }, t("noModels")),
        h(
          "dl",
          { class: "stats" },
          h(
            "div",
            {},
            h("dt", {}, t("defaultModel")),
            h("dd", { id: "default-model" }, answer.default_model ?? "—"),
          ),
          h(
            "div",
            {},
            h("dt", {}, t("upstream")),
            h(
              "dd",
              { id: "upstream" },
              upstream.configured
                ? `${upstream.host ?? "—"} · ${upstream.in_use ? t("upstreamInUse") : t("upstreamStandby")}`
                : t("upstreamNone"),
            ),
          ),
        ),
        answer.operator_hint
          ? h(
              "div",
              { class: "operator-hint" },
              h("h4", {}, t("operatorHint")),
              h("pre", { id: "operator-hint" }, h("code", {}, answer.operator_hint)),
            )
          : null,
      );
    })
    .catch((e: unknown) => {
      body.replaceChildren();
      error.textContent = adminError(e);
    });
  return h(
    "section",
    { class: "admin-section", id: "admin-models", "aria-labelledby": "admin-models-title" },
    h("h3", { id: "admin-models-title" }, t("adminModels")),
    error,
    body,
  );
}
