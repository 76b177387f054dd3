import type { AdminModels, ModelPull } from "../../api/admin-types.ts";
import { h, replaceChildren } from "../../dom.ts";
import { lang, t } from "../../i18n.ts";
import type { Ctx } from "../state.ts";
import { adminError, adminSection, dataTable, errorLine, tableRegion } from "./common.ts";
import type { Column } from "./common.ts";
import { formatBytes, formatCount, formatDateTime } from "./format.ts";

type Model = AdminModels["models"][number];

const POLL_MS = 1500;
const running = (pull: ModelPull) => pull.state === "downloading" || pull.state === "loading";

const modelColumns: Array<Column<Model>> = [
  {
    heading: "modelId",
    cell: (m) =>
      h("span", {}, m.id, m.is_default ? h("span", { class: "pill on" }, t("defaultModel")) : null),
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

/** A download's progress: a bar once the size is known, bytes so far before. */
function pullProgress(pull: ModelPull): HTMLElement {
  const text = pull.total_bytes
    ? `${formatBytes(pull.downloaded_bytes)} / ${formatBytes(pull.total_bytes)}`
    : formatBytes(pull.downloaded_bytes);
  return h(
    "span",
    { class: "pull-progress" },
    pull.total_bytes && running(pull)
      ? h("progress", {
          max: pull.total_bytes,
          value: pull.downloaded_bytes,
          "aria-label": `${pull.uri}: ${text}`,
        })
      : null,
    h("span", {}, text),
  );
}

const pullColumns: Array<Column<ModelPull>> = [
  { heading: "modelSource", cell: (p) => h("span", { class: "clip", title: p.uri }, p.uri) },
  {
    heading: "pullState",
    cell: (p) => h("span", { class: `pill pull-${p.state}` }, t(`pull_${p.state}`)),
  },
  { heading: "progress", cell: pullProgress },
  { heading: "outcome", cell: (p) => p.error ?? p.note ?? p.model_id ?? "—" },
  { heading: "createdAt", cell: (p) => formatDateTime(p.started_at, lang()) },
];

/** The models screen: what is loaded where, the upstream API, downloads, and the operator's hint. */
export function modelsView(ctx: Ctx): HTMLElement {
  const view = adminSection("models", t("adminModels"));
  const body = h("div", {}, h("p", { class: "muted" }, t("loading")));
  const error = errorLine("models-error");
  const pulls = h("div", { id: "model-pulls" });
  let polling = false;
  let wasRunning = false;

  const loadModels = async () => {
    try {
      const answer = await ctx.api.json<AdminModels>("GET", "/v1/admin/models");
      const upstream = answer.upstream;
      replaceChildren(
        body,
        answer.models.length
          ? tableRegion(
              t("adminModels"),
              dataTable("models-table", t("adminModels"), modelColumns, answer.models, (m) => m.id),
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
    } catch (e) {
      body.replaceChildren();
      error.textContent = adminError(e);
    }
  };

  /** Shows the downloads; while one runs, asks again until none does (or the screen is left). */
  const loadPulls = async (): Promise<void> => {
    try {
      const answer = await ctx.api.json<{ pulls: ModelPull[] }>("GET", "/v1/admin/models/pulls");
      replaceChildren(
        pulls,
        answer.pulls.length
          ? tableRegion(
              t("modelPulls"),
              dataTable(
                "pulls-table",
                t("modelPulls"),
                pullColumns,
                answer.pulls,
                (p) => p.pull_id,
              ),
            )
          : null,
      );
      const anyRunning = answer.pulls.some(running);
      // A download that just finished may have loaded its model: the table above changes too.
      if (wasRunning && !anyRunning) await loadModels();
      wasRunning = anyRunning;
      if (anyRunning && !polling && view.isConnected) {
        polling = true;
        setTimeout(() => {
          polling = false;
          if (view.isConnected) void loadPulls();
        }, POLL_MS);
      }
    } catch (e) {
      error.textContent = adminError(e);
    }
  };

  const uri = h("input", {
    id: "model-uri",
    name: "uri",
    required: true,
    maxlength: 2000,
    placeholder: "hf:user/repo/file.gguf",
    autocomplete: "off",
    spellcheck: "false",
  });
  const sha = h("input", {
    id: "model-sha256",
    name: "sha256",
    pattern: "[0-9a-fA-F]{64}",
    maxlength: 64,
    autocomplete: "off",
    spellcheck: "false",
  });
  const pullError = errorLine("model-pull-error");
  const pullForm = h(
    "form",
    { class: "upload-form", id: "model-pull-form" },
    h("h4", {}, t("pullModel")),
    h("p", { class: "field" }, h("label", { for: "model-uri" }, t("modelUri")), uri),
    h("p", { class: "field" }, h("label", { for: "model-sha256" }, t("modelSha256")), sha),
    h("button", { type: "submit", class: "primary", id: "model-pull" }, t("pull")),
    pullError,
  );
  pullForm.addEventListener("submit", (event) => {
    event.preventDefault();
    pullError.textContent = "";
    ctx.api
      .json<ModelPull>("POST", "/v1/admin/models/pulls", {
        uri: uri.value.trim(),
        ...(sha.value.trim() ? { sha256: sha.value.trim() } : {}),
      })
      .then(() => {
        pullForm.reset();
        return loadPulls();
      })
      .catch((e: unknown) => {
        pullError.textContent = adminError(e);
      });
  });

  view.append(error, body, pullForm, pulls);
  void loadModels();
  void loadPulls();
  return view;
}
