// Shared by every page: the signed-in staff member and CSRF token (in memory only), calls to
// the API, a small DOM builder that only ever sets text (never HTML), and date formatting.

export const auth = { staff: null, csrf: null };

// Set by app.js: what to do when the API says the session is gone.
let onSignedOut = () => {};
export function whenSignedOut(fn) {
  onSignedOut = fn;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
  // "minutes: must be 0..1440; reason: required" from a problem's field errors.
  describe() {
    const errs = (this.problem && this.problem.errors) || [];
    const fields = errs.map((e) => `${e.field}: ${e.message || e.detail || "invalid"}`).join("; ");
    return fields ? `${this.message} (${fields})` : this.message;
  }
}

// One API call. Writes carry the X-CSRF-Token header; a 401 (other than a failed sign-in) sends
// the page back to the sign-in form.
export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && auth.csrf) headers["X-CSRF-Token"] = auth.csrf;
  const res = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    cache: "no-store",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  if (res.status !== 204 && (res.headers.get("Content-Type") || "").includes("json")) data = await res.json();
  if (res.status === 401 && path !== "/v1/session") {
    onSignedOut("Your session has ended. Please sign in again.");
    throw new ApiError(401, data);
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// h("a", {href: "#/x", class: "c"}, "text", child, ...): attributes by name, "on..." functions as
// listeners, null/false attributes left out; children as text nodes or elements.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}
function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// A labelled control: <div class="field"><label for=id>text</label>control</div>.
let nextId = 0;
export function field(labelText, control) {
  if (!control.id) control.id = `f${++nextId}`;
  return h("div", { class: "field" }, h("label", { for: control.id }, labelText), control);
}

// A titled table: an <h2> (so that headings lead to it) labelling the table, or a line saying
// there is nothing to show.
export function table(title, headings, rows, empty = "None.") {
  const id = `t${++nextId}`;
  return h(
    "section",
    { "aria-labelledby": id },
    h("h2", { id }, title),
    rows.length === 0
      ? h("p", { class: "muted" }, empty)
      : h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { "aria-labelledby": id },
            h("thead", {}, h("tr", {}, headings.map((t) => h("th", { scope: "col" }, t)))),
            h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((c) => h("td", {}, c))))),
          ),
        ),
  );
}

// Announced to screen readers through the aria-live region, and shown for a few seconds.
let statusTimer = 0;
export function announce(text) {
  const box = document.getElementById("status");
  box.textContent = text;
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => (box.textContent = ""), 6000);
}

export const statusLabels = {
  present: "Present",
  late: "Late",
  left_early: "Left early",
  absent: "Absent",
  excused: "Excused",
  expected: "Expected",
  unmarked: "Unmarked",
};

// Times in the site's zone when known (the page may be used from elsewhere).
export function time(iso, zone) {
  if (!iso) return "";
  return new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: zone || undefined });
}
export function dateTime(iso, zone) {
  if (!iso) return "";
  return new Date(iso).toLocaleString("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: zone || undefined,
  });
}
export function longDate(ymd) {
  if (!ymd) return "";
  const [y, m, d] = ymd.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString("en-GB", {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}

// "staff:dana" -> "dana"; the API token's actor as it is.
export function who(markedBy) {
  return (markedBy || "").replace(/^staff:/, "");
}

// Every site the signed-in person may see (GET /v1/sites is scoped by the server).
let sitesCache = null;
export async function sites() {
  if (!sitesCache) {
    const page = await api("GET", "/v1/sites?limit=100");
    sitesCache = page.items.filter((s) => s.status !== "archived");
  }
  return sitesCache;
}
export function forgetSites() {
  sitesCache = null;
}

// The site shown when none is chosen: the person's first site, else the first visible one.
export async function defaultSite() {
  const all = await sites();
  const mine = auth.staff && auth.staff.site_ids.find((id) => all.some((s) => s.id === id));
  return mine || (all[0] && all[0].id) || null;
}

// A <select> of the visible sites, labelled "Site".
export async function sitePicker(selected, onChange) {
  const select = h(
    "select",
    { name: "site", onchange: () => onChange(Number(select.value)) },
    (await sites()).map((s) => h("option", { value: s.id, selected: s.id === selected }, s.name)),
  );
  return field("Site", select);
}

// Calls fn every `ms` while the page shows; returns the function that stops it.
export function every(ms, fn) {
  const timer = setInterval(() => {
    if (document.visibilityState === "visible") fn();
  }, ms);
  return () => clearInterval(timer);
}

export function hashParams(query) {
  return new URLSearchParams(query || "");
}
