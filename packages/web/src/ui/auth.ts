import { ApiError } from "../api/client.ts";
import { h } from "../dom.ts";
import { lang, t } from "../i18n.ts";
import { explain } from "./errors.ts";
import type { Ctx } from "./state.ts";

/** The sign-in and registration form, shown until someone signs in. */
export function authView(ctx: Ctx, onSignedIn: () => Promise<void>): HTMLElement {
  let mode: "login" | "register" = "login";
  const error = h("p", { class: "form-error", role: "alert", id: "auth-error" });
  if (ctx.state.notice) error.textContent = ctx.state.notice;

  const email = h("input", {
    id: "auth-email",
    name: "email",
    type: "email",
    autocomplete: "username",
    required: true,
  });
  const password = h("input", {
    id: "auth-password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    minlength: 1,
    required: true,
  });
  const fullName = h("input", { id: "auth-name", name: "full_name", autocomplete: "name" });
  const nameRow = h(
    "p",
    { class: "field", hidden: true },
    h("label", { for: "auth-name" }, t("fullName")),
    fullName,
  );
  const submit = h("button", { type: "submit", class: "primary", id: "auth-submit" }, t("login"));
  const title = h("h2", {}, t("login"));
  const toggle = h(
    "button",
    { type: "button", class: "link", id: "auth-toggle" },
    t("needAccount"),
  );

  const setMode = (next: "login" | "register") => {
    mode = next;
    title.textContent = t(next);
    submit.textContent = t(next);
    toggle.textContent = next === "login" ? t("needAccount") : t("haveAccount");
    nameRow.hidden = next === "login";
    password.setAttribute("autocomplete", next === "login" ? "current-password" : "new-password");
    password.setAttribute("minlength", next === "login" ? "1" : "8");
  };
  toggle.addEventListener("click", () => setMode(mode === "login" ? "register" : "login"));

  const form = h(
    "form",
    { class: "auth card", "aria-labelledby": "auth-title", novalidate: false },
    title,
    h("p", { class: "field" }, h("label", { for: "auth-email" }, t("email")), email),
    h("p", { class: "field" }, h("label", { for: "auth-password" }, t("password")), password),
    nameRow,
    error,
    submit,
    toggle,
  );
  title.id = "auth-title";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    const body = {
      email: email.value.trim(),
      password: password.value,
      ...(mode === "register" && fullName.value.trim() ? { full_name: fullName.value.trim() } : {}),
      ...(mode === "register" ? { locale: lang() } : {}),
    };
    ctx.api
      .signIn(mode, body)
      .then(async (user) => {
        ctx.state.user = user;
        ctx.state.notice = null;
        await onSignedIn();
      })
      .catch((e: unknown) => {
        error.textContent =
          e instanceof ApiError && e.status === 401
            ? t("badCredentials")
            : e instanceof ApiError && e.kind === "invalid"
              ? e.message
              : explain(e);
      })
      .finally(() => {
        submit.disabled = false;
        submit.removeAttribute("aria-busy");
      });
  });
  return h(
    "main",
    { class: "auth-page", id: "main" },
    h("div", { class: "brand" }, h("h1", {}, t("appName")), h("p", {}, t("tagline"))),
    form,
  );
}
