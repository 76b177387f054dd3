import type { TRestDueSoon, TRestHealthEntry, TRestHealthRecord } from "@dogi/contracts";
import type { Pet } from "../api/types.ts";
import { h } from "../dom.ts";
import { t } from "../i18n.ts";
import type { MessageKey } from "../i18n.ts";
import type { Ctx } from "./state.ts";
import { weightChart } from "./weight-chart.ts";

type Kind = TRestHealthEntry["kind"];

interface FieldSpec {
  name: string;
  type: "text" | "date" | "number";
  required: boolean;
  /** A date that has happened: the picker offers no later day. */
  past?: boolean;
  max?: number;
  min?: number;
  step?: number;
}

// The fields of each kind, as the REST API names them; the server checks them again.
const FIELDS: Record<Kind, FieldSpec[]> = {
  vaccination: [
    { name: "vaccine", type: "text", required: true, max: 100 },
    { name: "date", type: "date", required: true, past: true },
    { name: "next_due", type: "date", required: false },
  ],
  parasite: [
    { name: "product", type: "text", required: true, max: 100 },
    { name: "date", type: "date", required: true, past: true },
    { name: "interval_days", type: "number", required: true, min: 1, max: 730, step: 1 },
  ],
  medication: [
    { name: "name", type: "text", required: true, max: 100 },
    { name: "dose", type: "text", required: true, max: 200 },
    { name: "from", type: "date", required: true, past: true },
    { name: "to", type: "date", required: false },
  ],
  weight: [
    { name: "date", type: "date", required: true, past: true },
    { name: "kg", type: "number", required: true, min: 0.01, max: 200, step: 0.01 },
  ],
  visit: [
    { name: "date", type: "date", required: true, past: true },
    { name: "clinic", type: "text", required: true, max: 100 },
    { name: "reason", type: "text", required: true, max: 200 },
    { name: "notes", type: "text", required: false, max: 2000 },
  ],
  allergy: [
    { name: "allergen", type: "text", required: true, max: 100 },
    { name: "reaction", type: "text", required: false, max: 200 },
  ],
};

/** Which list of the record holds each kind. */
const LIST_OF: Record<Kind, keyof Omit<TRestHealthRecord, "pet_id">> = {
  vaccination: "vaccinations",
  parasite: "parasite",
  medication: "medications",
  weight: "weights",
  visit: "visits",
  allergy: "allergies",
};
const KINDS = Object.keys(FIELDS) as Kind[];

const localToday = () => new Intl.DateTimeFormat("en-CA").format(new Date());
const str = (value: unknown) =>
  typeof value === "string" || typeof value === "number" ? String(value) : "";

/** An entry in one line, as the owner reads it. */
export function entryLine(entry: TRestHealthEntry): string {
  const f = (name: string) => str(entry[name]);
  switch (entry.kind) {
    case "vaccination":
      return `${f("vaccine")} · ${f("date")}${f("next_due") ? ` → ${f("next_due")}` : ""}`;
    case "parasite":
      return `${f("product")} · ${f("date")} · ${t("f_interval_days")} ${f("interval_days")}`;
    case "medication":
      return `${f("name")} ${f("dose")} · ${f("from")}${f("to") ? ` – ${f("to")}` : " –"}`;
    case "weight":
      return `${f("date")} · ${f("kg")} kg`;
    case "visit":
      return `${f("date")} · ${f("clinic")} · ${f("reason")}${f("notes") ? ` (${f("notes")})` : ""}`;
    case "allergy":
      return `${f("allergen")}${f("reaction") ? ` (${f("reaction")})` : ""}`;
  }
}

/** The body a filled form sends: numbers as numbers, optional fields left out when empty. */
export function entryBody(kind: Kind, values: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = { kind };
  for (const spec of FIELDS[kind]) {
    const raw = (values[spec.name] ?? "").trim();
    if (raw === "") continue;
    body[spec.name] = spec.type === "number" ? Number(raw) : raw;
  }
  return body;
}

function entryForm(
  ctx: Ctx,
  pet: Pet,
  initial: Kind,
  onSaved: (kind: Kind) => void,
): HTMLFormElement {
  const kind = h("select", { id: "entry-kind", name: "entry-kind" });
  for (const k of KINDS) kind.append(h("option", { value: k }, t(`kind_${k}` as MessageKey)));
  const fields = h("div", { class: "entry-fields" });
  const error = h("p", { class: "form-error", role: "alert" });
  const inputs = new Map<string, HTMLInputElement>();
  const showFields = () => {
    inputs.clear();
    fields.replaceChildren(
      ...FIELDS[kind.value as Kind].map((spec) => {
        const id = `entry-${spec.name}`;
        const input = h("input", {
          id,
          name: spec.name,
          type: spec.type,
          required: spec.required,
          ...(spec.type === "text" && spec.max ? { maxlength: spec.max } : {}),
          ...(spec.type === "number"
            ? { min: spec.min, max: spec.max, step: spec.step, inputmode: "decimal" }
            : {}),
          ...(spec.past ? { max: localToday() } : {}),
        });
        inputs.set(spec.name, input);
        return h(
          "p",
          { class: "field" },
          h("label", { for: id }, t(`f_${spec.name}` as MessageKey)),
          input,
        );
      }),
    );
  };
  kind.value = initial;
  kind.addEventListener("change", showFields);
  showFields();
  const form = h(
    "form",
    { class: "entry-form", id: "entry-form" },
    h("h4", {}, t("addEntry")),
    h("p", { class: "field" }, h("label", { for: "entry-kind" }, t("entryKind")), kind),
    fields,
    error,
    h("button", { type: "submit", class: "primary", id: "entry-save" }, t("save")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = Object.fromEntries([...inputs].map(([name, input]) => [name, input.value]));
    ctx.api
      .json<TRestHealthEntry>(
        "POST",
        `/v1/auth/pets/${pet.pet_id}/record`,
        entryBody(kind.value as Kind, values),
      )
      .then(() => onSaved(kind.value as Kind))
      .catch((e: unknown) => {
        error.textContent = e instanceof Error ? e.message : String(e);
      });
  });
  return form;
}

/** A pet's health record: each kind's entries with a delete button each, and the form to add one. */
export function recordView(ctx: Ctx, pet: Pet, back: () => void): HTMLElement {
  const view = h("section", { class: "record", id: "record", "aria-labelledby": "record-title" });
  // The form keeps the kind last added, for a series of entries of one kind.
  let lastKind: Kind = "vaccination";
  const load = async () => {
    const record = await ctx.api.json<TRestHealthRecord>(
      "GET",
      `/v1/auth/pets/${pet.pet_id}/record`,
    );
    const lists = KINDS.map((k) => {
      const entries = record[LIST_OF[k]];
      return h(
        "div",
        { class: "record-kind", "data-kind": k },
        h("h4", {}, t(`kind_${k}` as MessageKey)),
        k === "weight" ? weightChart(entries) : null,
        entries.length
          ? h(
              "ul",
              { class: "record-list" },
              ...entries.map((entry) =>
                h(
                  "li",
                  {},
                  h("span", {}, entryLine(entry)),
                  h(
                    "button",
                    {
                      type: "button",
                      class: "icon",
                      "aria-label": `${t("deleteEntry")}: ${entryLine(entry)}`,
                      onclick: () => {
                        ctx.api
                          .request("DELETE", `/v1/auth/pets/${pet.pet_id}/record/${entry.entry_id}`)
                          .then(() => load())
                          .catch((e: unknown) => ctx.fail(e));
                      },
                    },
                    "✕",
                  ),
                ),
              ),
            )
          : h("p", { class: "muted" }, t("nothingRecorded")),
      );
    });
    view.replaceChildren(
      h("button", { type: "button", class: "link", onclick: back }, t("backToPets")),
      h("h3", { id: "record-title" }, `${t("healthRecord")}: ${pet.name}`),
      ...lists,
      entryForm(ctx, pet, lastKind, (kind) => {
        lastKind = kind;
        load().catch((e: unknown) => ctx.fail(e));
      }),
    );
  };
  view.append(h("p", { class: "muted", role: "status" }, t("loading")));
  load().catch((e: unknown) => ctx.fail(e));
  return view;
}

/** What is overdue or due within 30 days across the user's pets. */
export function dueSoonView(ctx: Ctx): HTMLElement {
  const view = h("section", { class: "due-soon", id: "due-soon", "aria-labelledby": "due-title" });
  view.append(h("h3", { id: "due-title" }, t("dueSoon")));
  ctx.api
    .json<TRestDueSoon>("GET", "/v1/auth/pets/due-soon")
    .then((due) => {
      view.append(
        due.items.length
          ? h(
              "ul",
              { class: "due-list" },
              ...due.items.map((item) =>
                h(
                  "li",
                  { class: item.overdue ? "overdue" : "" },
                  `${item.pet_name} · ${item.name} · ${item.due_on} (${
                    item.days_left < 0
                      ? t("overdueBy", { days: -item.days_left })
                      : item.days_left === 0
                        ? t("dueToday")
                        : t("dueIn", { days: item.days_left })
                  })`,
                ),
              ),
            )
          : h("p", { class: "muted" }, t("noDue")),
      );
    })
    .catch((e: unknown) => ctx.fail(e));
  return view;
}
