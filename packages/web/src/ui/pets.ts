import type { Pet, PetInput } from "../api/types.ts";
import { h } from "../dom.ts";
import { t } from "../i18n.ts";
import { dueSoonView, recordView } from "./health-record.ts";
import type { Ctx } from "./state.ts";

const today = () => new Date().toISOString().slice(0, 10);

function select(id: string, value: string, options: Array<[string, string]>): HTMLSelectElement {
  const element = h("select", { id, name: id });
  for (const [v, label] of options) element.append(h("option", { value: v }, label));
  element.value = value;
  return element;
}

function field(id: string, label: string, control: HTMLElement): HTMLElement {
  return h("p", { class: "field" }, h("label", { for: id }, label), control);
}

/** The form of one pet, new or existing; resolves the request body. */
function petForm(ctx: Ctx, pet: Pet | null, onSaved: () => void): HTMLFormElement {
  const name = h("input", {
    id: "pet-name",
    required: true,
    maxlength: 50,
    value: pet?.name ?? "",
  });
  const species = select("pet-species", pet?.species ?? "dog", [
    ["dog", t("dog")],
    ["cat", t("cat")],
  ]);
  const breed = h("input", { id: "pet-breed", maxlength: 80, value: pet?.breed ?? "" });
  const birth = h("input", {
    id: "pet-birth",
    type: "date",
    max: today(),
    value: pet?.birth_date ?? "",
  });
  const weight = h("input", {
    id: "pet-weight",
    type: "number",
    min: 0.01,
    max: 200,
    step: 0.01,
    inputmode: "decimal",
    value: pet?.weight_kg ?? "",
  });
  const sex = select("pet-sex", pet?.sex ?? "unknown", [
    ["unknown", t("unknown")],
    ["male", t("male")],
    ["female", t("female")],
  ]);
  const neutered = select(
    "pet-neutered",
    pet?.neutered === null || !pet ? "" : String(pet.neutered),
    [
      ["", t("unknown")],
      ["true", t("yes")],
      ["false", t("no")],
    ],
  );
  const conditions = h("input", {
    id: "pet-conditions",
    value: pet?.known_conditions.join(", ") ?? "",
  });
  const error = h("p", { class: "form-error", role: "alert" });
  const form = h(
    "form",
    { class: "pet-form", id: "pet-form" },
    h("h3", {}, pet ? `${t("editPet")}: ${pet.name}` : t("addPet")),
    field("pet-name", t("petName"), name),
    field("pet-species", t("species"), species),
    field("pet-breed", t("breed"), breed),
    field("pet-birth", t("birthDate"), birth),
    field("pet-weight", t("weight"), weight),
    field("pet-sex", t("sex"), sex),
    field("pet-neutered", t("neutered"), neutered),
    field("pet-conditions", t("conditions"), conditions),
    error,
    h("button", { type: "submit", class: "primary", id: "pet-save" }, t("save")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body: PetInput = {
      name: name.value.trim(),
      species: species.value as Pet["species"],
      breed: breed.value.trim() || null,
      birth_date: birth.value || null,
      weight_kg: weight.value ? Number(weight.value) : null,
      sex: sex.value as Pet["sex"],
      neutered: neutered.value === "" ? null : neutered.value === "true",
      known_conditions: conditions.value
        .split(/[,،、]/)
        .map((c) => c.trim())
        .filter(Boolean),
    };
    const request = pet
      ? ctx.api.json<Pet>("PATCH", `/v1/auth/pets/${pet.pet_id}`, body)
      : ctx.api.json<Pet>("POST", "/v1/auth/pets", body);
    request
      .then((saved) => {
        ctx.state.pets = pet
          ? ctx.state.pets.map((p) => (p.pet_id === saved.pet_id ? saved : p))
          : [...ctx.state.pets, saved];
        if (!pet && ctx.state.petId === null) ctx.state.petId = saved.pet_id;
        onSaved();
      })
      .catch((e: unknown) => {
        error.textContent = e instanceof Error ? e.message : String(e);
      });
  });
  return form;
}

/** The pets dialog: the list with an edit button each, and the form to add or edit one. */
export function openPetsDialog(ctx: Ctx): void {
  const dialog = h("dialog", {
    class: "pets-dialog",
    id: "pets-dialog",
    "aria-labelledby": "pets-title",
  });
  const body = h("div", {});
  const show = (editing: Pet | null) => {
    const list = h("ul", { class: "pet-list" });
    for (const pet of ctx.state.pets) {
      list.append(
        h(
          "li",
          {},
          h("span", {}, `${pet.name} · ${t(pet.species)}${pet.breed ? ` · ${pet.breed}` : ""}`),
          h(
            "button",
            {
              type: "button",
              class: "link",
              onclick: () => show(pet),
              "aria-label": `${t("editPet")}: ${pet.name}`,
            },
            t("editPet"),
          ),
          h(
            "button",
            {
              type: "button",
              class: "link",
              onclick: () => body.replaceChildren(recordView(ctx, pet, () => show(null))),
              "aria-label": `${t("healthRecord")}: ${pet.name}`,
            },
            t("healthRecord"),
          ),
        ),
      );
    }
    body.replaceChildren(
      ctx.state.pets.length ? dueSoonView(ctx) : "",
      ctx.state.pets.length ? list : h("p", { class: "muted" }, t("noPets")),
      editing
        ? h(
            "button",
            { type: "button", class: "link", onclick: () => show(null) },
            `＋ ${t("addPet")}`,
          )
        : "",
      petForm(ctx, editing, () => {
        show(null);
        ctx.render();
      }),
    );
    body.querySelector<HTMLInputElement>("#pet-name")?.focus();
  };
  dialog.append(
    h(
      "header",
      { class: "dialog-head" },
      h("h2", { id: "pets-title" }, t("pets")),
      h(
        "button",
        { type: "button", class: "icon", "aria-label": t("close"), onclick: () => dialog.close() },
        "✕",
      ),
    ),
    body,
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  show(null);
  dialog.showModal();
}
