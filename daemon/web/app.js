// The staff page's shell: sign-in, sign-out, the hash router (#/today, #/session/<id>, ...),
// and the header. Each page module renders into <main> and returns a function that stops its
// timers when the page is left.
import { api, auth, ApiError, announce, field, forgetSites, h, whenSignedOut } from "./lib.js";
import { todayPage } from "./today.js";
import { rosterPage } from "./roster.js";
import { alertsPage } from "./alerts.js";
import { clientPage, groupPage, groupsPage } from "./people.js";

const main = document.getElementById("main");
const top = document.getElementById("top");
let leave = () => {};
let signinNotice = "";
let routeSeq = 0;  // a page that finishes loading after the next navigation draws nothing

const pages = {
  today: todayPage,
  session: rosterPage,
  alerts: alertsPage,
  client: clientPage,
  groups: groupsPage,
  group: groupPage,
};

// "#/session/12?x=1" -> {name: "session", id: 12, query: "x=1"}
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = raw.split("?");
  const [name, id] = path.split("/");
  return { name: name || "today", id: id ? Number(id) : null, query };
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function showShell(signedIn) {
  top.hidden = !signedIn;
  if (signedIn) {
    const s = auth.staff;
    document.getElementById("who").textContent = `${s.name} (${s.role.replace("_", " ")})`;
  }
}

async function route() {
  leave();
  leave = () => {};
  const seq = ++routeSeq;
  const r = parseHash();
  if (!auth.staff) {
    if (r.name !== "signin") {
      location.replace("#/signin");
      return;
    }
  } else if (r.name === "signin") {
    location.replace("#/today");
    return;
  }
  showShell(!!auth.staff);
  for (const a of document.querySelectorAll("[data-nav]")) {
    const current = a.dataset.nav === r.name || (a.dataset.nav === "groups" && r.name === "group");
    if (current) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  main.replaceChildren();
  if (r.name === "signin") {
    signinPage();
    return;
  }
  const page = pages[r.name];
  if (!page) {
    render("Not found", h("p", {}, "There is no such page. ", h("a", { href: "#/today" }, "Go to Today")));
    return;
  }
  const current = () => seq === routeSeq;
  try {
    const stop = (await page({ id: r.id, query: r.query, render: (...a) => current() && render(...a), go })) || (() => {});
    if (current()) leave = stop;
    else stop();
  } catch (e) {
    if (!current() || (e instanceof ApiError && e.status === 401)) return;
    const text =
      e instanceof ApiError && e.status === 404
        ? "Not found, or not at one of your sites."
        : e instanceof ApiError && e.status === 403
          ? "Your role cannot open this page."
          : `Could not load this page: ${e instanceof ApiError ? e.describe() : e.message}`;
    render("Something went wrong", h("p", { class: "error", role: "alert" }, text));
  }
}

// Replaces <main> with a heading and content; the heading names the tab, and focus moves to
// <main> so that a screen reader starts at the new page.
function render(title, ...content) {
  document.title = `${title} · rollcall`;
  main.replaceChildren(h("h1", {}, title), ...content.filter((c) => c !== null && c !== undefined && c !== false));
  main.focus({ preventScroll: true });
}

function signinPage() {
  const user = h("input", { name: "username", autocomplete: "username", required: true, autocapitalize: "none" });
  const pass = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const error = h("p", { class: "error", role: "alert" }, signinNotice);
  signinNotice = "";
  const button = h("button", { type: "submit" }, "Sign in");
  const form = h(
    "form",
    {
      class: "signin",
      onsubmit: async (ev) => {
        ev.preventDefault();
        button.disabled = true;
        error.textContent = "";
        try {
          const s = await api("POST", "/v1/session", { username: user.value.trim(), password: pass.value });
          signedIn(s);
          go("#/today");
        } catch (e) {
          error.textContent =
            e instanceof ApiError && e.status === 401
              ? "Sign-in failed: check your username and password."
              : `Sign-in failed: ${e instanceof ApiError ? e.describe() : e.message}`;
          pass.value = "";
          pass.focus();
        } finally {
          button.disabled = false;
        }
      },
    },
    field("Username", user),
    field("Password", pass),
    button,
    error,
  );
  render("Sign in to rollcall", form);
  user.focus();
}

function signedIn(s) {
  auth.staff = s.staff;
  auth.csrf = s.csrf_token;
  forgetSites();
}

function signedOut(notice) {
  auth.staff = null;
  auth.csrf = null;
  forgetSites();
  signinNotice = notice || "";
  leave();
  leave = () => {};
  showShell(false);
  if (parseHash().name === "signin") route();
  else location.replace("#/signin");
}
whenSignedOut(signedOut);

document.getElementById("signout").addEventListener("click", async () => {
  try {
    await api("DELETE", "/v1/session");
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) {
      announce(`Sign-out failed: ${e.message}`);
      return;
    }
  }
  signedOut("You have signed out.");
});

window.addEventListener("hashchange", route);

// On load: an existing session (cookie) signs the page in again; its CSRF token comes back too.
(async () => {
  try {
    const res = await fetch("/v1/session", { credentials: "same-origin", cache: "no-store" });
    if (res.ok) signedIn(await res.json());
  } catch {
    // offline or the server is down: the sign-in form says so when used
  }
  route();
})();
