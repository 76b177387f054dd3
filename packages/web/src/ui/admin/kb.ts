import type {
  IngestJob,
  KbDocument,
  KbSearchHit,
  KbStats,
  RestPage,
} from "../../api/admin-types.ts";
import { h, replaceChildren } from "../../dom.ts";
import { lang, t } from "../../i18n.ts";
import type { Ctx } from "../state.ts";
import {
  adminError,
  adminSection,
  dataTable,
  errorLine,
  moreButton,
  query,
  tableRegion,
} from "./common.ts";
import type { Column } from "./common.ts";
import { countRows, formatBytes, formatCount, formatDateTime } from "./format.ts";
import { ACCEPTED_EXTENSIONS, uploadProblem } from "./upload-file.ts";

const POLL_MS = 1000;
const finished = (job: IngestJob) => job.state === "done" || job.state === "failed";

function select(id: string, label: string, options: Array<[string, string]>): HTMLElement {
  const control = h("select", { id, name: id });
  for (const [value, text] of options) control.append(h("option", { value }, text));
  return h("p", { class: "field inline" }, h("label", { for: id }, label), control);
}

const speciesOptions = (): Array<[string, string]> => [
  ["", t("allSpecies")],
  ["dog", t("dog")],
  ["cat", t("cat")],
  ["both", t("bothSpecies")],
];
const languageOptions = (): Array<[string, string]> => [
  ["", t("allLanguages")],
  ["ko", "한국어"],
  ["en", "English"],
];
const valueOf = (root: HTMLElement, id: string) =>
  root.querySelector<HTMLSelectElement | HTMLInputElement>(`#${id}`)?.value ?? "";

/** What a finished job did, in a sentence. */
function jobOutcome(job: IngestJob): string {
  if (job.state === "failed") return job.error ?? t("jobFailed", { file: job.file_name });
  if (job.state !== "done")
    return t(job.state === "queued" ? "jobQueued" : "jobRunning", { file: job.file_name });
  const result = job.result;
  if (!result) return t("jobDone", { file: job.file_name });
  return result.unchanged
    ? t("jobUnchanged", { title: result.title })
    : t("jobIngested", {
        title: result.title,
        chunks: result.chunks,
        added: result.added,
        removed: result.removed,
      });
}

/** The knowledge base screen: counts, upload with progress, recent jobs, search, documents. */
export function kbView(ctx: Ctx): HTMLElement {
  const view = adminSection("kb", t("adminKb"));
  const stats = h("div", { id: "kb-stats" }, h("p", { class: "muted" }, t("loading")));
  const jobs = h("div", { id: "kb-jobs" });
  const docs = h("div", { id: "kb-documents" });
  const docsError = errorLine("kb-documents-error");
  let documents: KbDocument[] = [];
  let nextCursor: string | null = null;

  const loadStats = async () => {
    try {
      const s = await ctx.api.json<KbStats>("GET", "/v1/admin/kb/stats");
      const counts = (record: Record<string, number>) =>
        countRows(record)
          .map(([name, n]) => `${name} ${formatCount(n, lang())}`)
          .join(" · ") || "—";
      stats.replaceChildren(
        h(
          "dl",
          { class: "stats" },
          h(
            "div",
            {},
            h("dt", {}, t("kbDocuments")),
            h("dd", { id: "kb-document-count" }, formatCount(s.documents, lang())),
          ),
          h("div", {}, h("dt", {}, t("kbChunks")), h("dd", {}, formatCount(s.chunks, lang()))),
          h("div", {}, h("dt", {}, t("byLanguage")), h("dd", {}, counts(s.by_language))),
          h("div", {}, h("dt", {}, t("bySpecies")), h("dd", {}, counts(s.by_species))),
          h(
            "div",
            {},
            h("dt", {}, t("embedder")),
            h("dd", {}, `${s.embedder.name} (${s.embedder.dimension})`),
          ),
          h("div", {}, h("dt", {}, t("collection")), h("dd", {}, s.collection)),
          h(
            "div",
            {},
            h("dt", {}, t("corpusHash")),
            h(
              "dd",
              {},
              s.corpus_hash ? h("code", { title: s.corpus_hash }, s.corpus_hash.slice(0, 12)) : "—",
            ),
          ),
        ),
      );
    } catch (e) {
      stats.replaceChildren(h("p", { class: "form-error", role: "alert" }, adminError(e)));
    }
  };

  const jobColumns: Array<Column<IngestJob>> = [
    { heading: "fileName", cell: (j) => j.file_name },
    { heading: "jobKind", cell: (j) => (j.kind === "upload" ? t("jobUpload") : t("jobReingest")) },
    { heading: "size", cell: (j) => formatBytes(j.bytes), numeric: true },
    {
      heading: "jobState",
      cell: (j) => h("span", { class: `pill job-${j.state}` }, t(`state_${j.state}`)),
    },
    { heading: "outcome", cell: jobOutcome },
    { heading: "createdAt", cell: (j) => formatDateTime(j.created_at, lang()) },
  ];
  const loadJobs = async () => {
    try {
      const answer = await ctx.api.json<{ jobs: IngestJob[] }>("GET", "/v1/admin/kb/jobs");
      jobs.replaceChildren(
        h("h4", {}, t("recentJobs")),
        answer.jobs.length
          ? tableRegion(
              t("recentJobs"),
              dataTable("kb-jobs-table", t("recentJobs"), jobColumns, answer.jobs, (j) => j.job_id),
            )
          : h("p", { class: "muted" }, t("noJobs")),
      );
    } catch (e) {
      jobs.replaceChildren(h("p", { class: "form-error", role: "alert" }, adminError(e)));
    }
  };

  /** Follows a job until it is done or failed, reporting each state; stops if the screen is left. */
  const follow = async (job: IngestJob, report: (job: IngestJob) => void): Promise<IngestJob> => {
    let current = job;
    report(current);
    while (!finished(current)) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (!view.isConnected) return current;
      current = await ctx.api.json<IngestJob>("GET", `/v1/admin/kb/jobs/${current.job_id}`);
      report(current);
    }
    await Promise.all([loadStats(), loadJobs(), loadDocuments(false)]);
    return current;
  };

  // ---- upload -----------------------------------------------------------------------------
  const file = h("input", {
    type: "file",
    id: "kb-file",
    name: "file",
    accept: ACCEPTED_EXTENSIONS.join(","),
  });
  const progress = h("progress", {
    id: "kb-progress",
    max: 1,
    value: 0,
    hidden: true,
    "aria-labelledby": "kb-progress-label",
  });
  const progressLabel = h("span", { id: "kb-progress-label", class: "muted" });
  const jobStatus = h("p", { id: "kb-job", role: "status", class: "job-status" });
  const uploadError = errorLine("kb-upload-error");
  const uploadButton = h(
    "button",
    { type: "submit", class: "primary", id: "kb-upload" },
    t("upload"),
  );
  const uploadForm = h(
    "form",
    { class: "upload-form", id: "kb-upload-form" },
    h("h4", {}, t("uploadDocument")),
    h(
      "p",
      { class: "field" },
      h("label", { for: "kb-file" }, t("chooseDocument")),
      file,
      h("span", { class: "muted hint" }, t("uploadHint", { types: ACCEPTED_EXTENSIONS.join(" ") })),
    ),
    h("div", { class: "progress-row" }, progress, progressLabel),
    uploadButton,
    jobStatus,
    uploadError,
  );
  uploadForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void upload();
  });
  const upload = async () => {
    uploadError.textContent = "";
    jobStatus.textContent = "";
    const chosen = file.files?.[0];
    if (!chosen) {
      uploadError.textContent = t("chooseDocumentFirst");
      return;
    }
    const problem = uploadProblem(chosen.name, chosen.size);
    if (problem) {
      uploadError.textContent = t(`uploadProblem_${problem}`, {
        file: chosen.name,
        types: ACCEPTED_EXTENSIONS.join(" "),
      });
      return;
    }
    uploadButton.disabled = true;
    progress.hidden = false;
    progress.max = chosen.size;
    progress.value = 0;
    try {
      const job = await ctx.api.upload<IngestJob>(
        `/v1/admin/kb/uploads${query({ file_name: chosen.name })}`,
        chosen,
        (sent, total) => {
          progress.max = total;
          progress.value = sent;
          progressLabel.textContent = t("uploaded", {
            percent: Math.round((sent / Math.max(1, total)) * 100),
            sent: formatBytes(sent),
            total: formatBytes(total),
          });
        },
      );
      // Sent: the bar has done its job; the status line follows the ingest from here.
      progress.hidden = true;
      progressLabel.textContent = "";
      const done = await follow(job, (current) => {
        jobStatus.textContent = jobOutcome(current);
        jobStatus.dataset.state = current.state;
      });
      if (done.state === "failed") {
        jobStatus.textContent = "";
        uploadError.textContent = jobOutcome(done);
      } else if (done.state === "done") uploadForm.reset();
    } catch (e) {
      uploadError.textContent = adminError(e);
    } finally {
      uploadButton.disabled = false;
      progress.hidden = true;
      progressLabel.textContent = "";
    }
  };

  // ---- search -----------------------------------------------------------------------------
  const searchResults = h("ol", {
    class: "search-results",
    id: "kb-results",
    "aria-label": t("searchResults"),
  });
  const searchError = errorLine("kb-search-error");
  const searchForm = h(
    "form",
    { class: "kb-search", id: "kb-search-form", role: "search" },
    h("h4", {}, t("searchKb")),
    h(
      "p",
      { class: "field" },
      h("label", { for: "kb-query" }, t("searchQuery")),
      h("input", { id: "kb-query", type: "search", required: true, maxlength: 2000 }),
    ),
    h(
      "div",
      { class: "toolbar" },
      select(
        "kb-search-species",
        t("species"),
        speciesOptions().filter(([v]) => v !== "both"),
      ),
      select("kb-search-language", t("languageFilter"), languageOptions()),
      h("button", { type: "submit", class: "primary", id: "kb-search" }, t("search")),
    ),
    searchError,
    searchResults,
  );
  searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void search();
  });
  const search = async () => {
    searchError.textContent = "";
    const species = valueOf(searchForm, "kb-search-species");
    const language = valueOf(searchForm, "kb-search-language");
    try {
      const answer = await ctx.api.json<
        { hits?: KbSearchHit[]; items?: KbSearchHit[] } | KbSearchHit[]
      >("POST", "/v1/admin/kb/search", {
        query: valueOf(searchForm, "kb-query"),
        limit: 10,
        ...(species ? { species } : {}),
        ...(language ? { language } : {}),
      });
      // The route answers rag's result (`hits`); a list, or `items`, reads the same.
      const hits = Array.isArray(answer) ? answer : (answer.hits ?? answer.items ?? []);
      searchResults.replaceChildren(
        ...(hits.length
          ? hits.map((hit) =>
              h(
                "li",
                { class: "hit" },
                h(
                  "p",
                  { class: "hit-head" },
                  h("strong", {}, hit.citation?.title ?? hit.title ?? "—"),
                  hit.citation?.section || hit.section
                    ? ` — ${hit.citation?.section ?? hit.section ?? ""}`
                    : "",
                  h("span", { class: "score" }, `${t("score")} ${hit.score.toFixed(3)}`),
                ),
                h("p", { class: "hit-text" }, hit.text),
              ),
            )
          : [h("li", { class: "muted" }, t("noHits"))]),
      );
    } catch (e) {
      searchError.textContent = adminError(e);
    }
  };

  // ---- documents --------------------------------------------------------------------------
  const reingest = async (doc: KbDocument) => {
    docsError.textContent = "";
    try {
      const job = await ctx.api.json<IngestJob>(
        "POST",
        `/v1/admin/kb/documents/${doc.document_id}/reingest`,
      );
      await follow(job, (current) => {
        jobStatus.textContent = jobOutcome(current);
      });
    } catch (e) {
      docsError.textContent = adminError(e);
    }
  };
  const remove = async (doc: KbDocument) => {
    if (!window.confirm(t("confirmDeleteDocument", { title: doc.title }))) return;
    docsError.textContent = "";
    try {
      const answer = await ctx.api.json<{ deleted_chunks: number }>(
        "DELETE",
        `/v1/admin/kb/documents/${doc.document_id}`,
      );
      jobStatus.textContent = t("documentDeleted", {
        title: doc.title,
        chunks: answer.deleted_chunks,
      });
      await Promise.all([loadStats(), loadDocuments(false)]);
    } catch (e) {
      docsError.textContent = adminError(e);
    }
  };
  const docColumns: Array<Column<KbDocument>> = [
    { heading: "docTitle", cell: (d) => d.title },
    { heading: "species", cell: (d) => d.species },
    { heading: "languageFilter", cell: (d) => d.language },
    { heading: "topic", cell: (d) => d.topic || "—" },
    { heading: "docType", cell: (d) => d.type },
    { heading: "kbChunks", cell: (d) => formatCount(d.chunks, lang()), numeric: true },
    { heading: "source", cell: (d) => h("span", { class: "clip", title: d.source }, d.source) },
    { heading: "origin", cell: (d) => (d.from_corpus ? t("fromCorpus") : t("uploadedByAdmin")) },
    {
      heading: "actions",
      cell: (d) =>
        h(
          "span",
          { class: "row-actions" },
          h(
            "button",
            {
              type: "button",
              class: "small",
              "data-action": "reingest",
              "aria-label": `${t("reingest")}: ${d.title}`,
              onclick: () => void reingest(d),
            },
            t("reingest"),
          ),
          h(
            "button",
            {
              type: "button",
              class: "small danger",
              "data-action": "delete",
              "aria-label": `${t("delete")}: ${d.title}`,
              onclick: () => void remove(d),
            },
            t("delete"),
          ),
        ),
    },
  ];
  const filters = h(
    "div",
    { class: "toolbar" },
    select("kb-species", t("species"), speciesOptions()),
    select("kb-language", t("languageFilter"), languageOptions()),
  );
  filters.addEventListener("change", () => void loadDocuments(false));
  async function loadDocuments(more: boolean): Promise<void> {
    docsError.textContent = "";
    try {
      const page = await ctx.api.json<RestPage<KbDocument>>(
        "GET",
        `/v1/admin/kb/documents${query({
          limit: 50,
          cursor: more ? nextCursor : null,
          species: valueOf(filters, "kb-species"),
          language: valueOf(filters, "kb-language"),
        })}`,
      );
      documents = more ? [...documents, ...page.items] : page.items;
      nextCursor = page.next_cursor;
      replaceChildren(
        docs,
        documents.length
          ? tableRegion(
              t("kbDocuments"),
              dataTable(
                "kb-documents-table",
                t("kbDocuments"),
                docColumns,
                documents,
                (d) => d.document_id,
              ),
            )
          : h("p", { class: "muted" }, t("noDocuments")),
        moreButton("kb-more", nextCursor, () => void loadDocuments(true)),
      );
    } catch (e) {
      docsError.textContent = adminError(e);
    }
  }

  view.append(
    stats,
    uploadForm,
    jobs,
    searchForm,
    h("h4", {}, t("kbDocuments")),
    filters,
    docsError,
    docs,
  );
  void loadStats();
  void loadJobs();
  void loadDocuments(false);
  return view;
}
