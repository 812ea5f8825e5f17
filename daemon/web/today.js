// Today: the chosen site's sessions of one day, in three parts (morning, afternoon, evening),
// each with its counts; refreshed every 15 seconds in place, without reloading the page.
import { api, defaultSite, every, field, h, hashParams, longDate, sitePicker } from "./lib.js";

const slotNames = { morning: "Morning", afternoon: "Afternoon", evening: "Evening" };
const countNames = [
  ["expected", "Expected"],
  ["present", "Present"],
  ["late", "Late"],
  ["left_early", "Left early"],
  ["absent", "Absent"],
  ["excused", "Excused"],
  ["unmarked", "Unmarked"],
];

export async function todayPage({ query, render, go }) {
  const params = hashParams(query);
  const site = Number(params.get("site")) || (await defaultSite());
  const date = params.get("date") || "";
  if (!site) {
    render("Today", h("p", {}, "No site is open to you."));
    return;
  }
  const path = `/v1/sites/${site}/day${date ? `?date=${encodeURIComponent(date)}` : ""}`;
  const day = await api("GET", path);

  const picker = await sitePicker(site, (id) => go(`#/today?site=${id}${date ? `&date=${date}` : ""}`));
  const dateInput = h("input", {
    type: "date",
    name: "date",
    value: day.date,
    onchange: () => dateInput.value && go(`#/today?site=${site}&date=${dateInput.value}`),
  });
  const updated = h("p", { class: "muted", id: "updated" });
  const parts = h("div", { class: "parts" });
  // The site's clock, like the session times.
  const stamp = (d) => {
    const now = new Date().toLocaleTimeString("en-GB", { timeZone: d.time_zone || undefined });
    updated.textContent = `${d.site_name}, ${longDate(d.date)}. Updated ${now}.`;
  };
  const show = (d) => {
    parts.replaceChildren(...d.parts.map((p) => part(p)));
    stamp(d);
  };
  show(day);
  render("Today", h("div", { class: "controls" }, picker, field("Date", dateInput)), updated, parts);

  return every(15000, async () => {
    try {
      const fresh = await api("GET", path);
      if (update(parts, fresh)) stamp(fresh);
      else show(fresh);
    } catch {
      // the next round tries again; a 401 has already sent the page to sign-in
    }
  });
}

function part(p) {
  const heading = `${slotNames[p.slot] || p.slot}`;
  const id = `part-${p.slot}`;
  return h(
    "section",
    { class: "part", "aria-labelledby": id },
    h("h2", { id }, heading),
    p.sessions.length === 0
      ? h("p", { class: "muted" }, "No sessions.")
      : h("ul", { class: "cards" }, p.sessions.map(card)),
  );
}

function card(s) {
  return h(
    "li",
    { class: s.cancelled ? "card cancelled" : "card", dataset: { session: s.session_id } },
    h(
      "h3",
      {},
      h("a", { href: `#/session/${s.session_id}` }, `${s.group_name}`),
      s.cancelled ? [" ", h("span", { class: "badge cancelled" }, "Cancelled")] : null,
    ),
    h("p", { class: "muted" }, `${s.local_start}–${s.local_end}${s.room ? `, ${s.room}` : ""}`),
    h(
      "dl",
      { class: "counts" },
      countNames.map(([key, label]) =>
        h("div", {}, h("dt", {}, label), h("dd", { dataset: { count: key } }, String(s[key] ?? 0))),
      ),
    ),
    s.confirmed || s.declined
      ? h("p", { class: "muted" }, `Replies: ${s.confirmed} confirmed, ${s.declined} can't make it`)
      : null,
  );
}

// Updates the counts in place when the same sessions are shown (so focus and scroll stay);
// false when the list changed and the parts must be drawn again.
function update(parts, fresh) {
  const cards = parts.querySelectorAll("[data-session]");
  const sessions = fresh.parts.flatMap((p) => p.sessions);
  if (cards.length !== sessions.length) return false;
  for (let i = 0; i < sessions.length; ++i) {
    const s = sessions[i];
    if (Number(cards[i].dataset.session) !== s.session_id || cards[i].classList.contains("cancelled") !== s.cancelled)
      return false;
  }
  for (let i = 0; i < sessions.length; ++i)
    for (const dd of cards[i].querySelectorAll("[data-count]")) dd.textContent = String(sessions[i][dd.dataset.count] ?? 0);
  return true;
}
