// Alerts inbox: open alerts, newest first, either "Mine" (clients whose counselor or case
// manager I am) or every alert of my sites; each acknowledged with a note. Refreshed every 15
// seconds: new alerts appear at the top, and a note being typed is kept.
import { announce, api, ApiError, auth, dateTime, every, field, h, hashParams, sites } from "./lib.js";

const kinds = {
  missed_session: "Missed session",
  consecutive_misses: "Missed sessions in a row",
  low_attendance: "Low attendance",
  hours_at_risk: "Weekly hours at risk",
  declined: "Can't make it",
  opted_out: "Opted out of messages",
  unreachable: "Unreachable",
};

export async function alertsPage({ query, render, go }) {
  const canMine = auth.staff && auth.staff.role !== "front_desk";
  const asked = hashParams(query).get("show");
  const mine = canMine && (asked ? asked === "mine" : auth.staff.role !== "admin");
  const path = `/v1/alerts?status=open&limit=100${mine ? "&mine=true" : ""}`;
  const siteNames = new Map((await sites()).map((s) => [s.id, s]));
  let alerts = (await api("GET", path)).alerts;

  const list = h("ul", { class: "alerts", "aria-label": "Open alerts" });
  const empty = h("p", { class: "muted" }, "No open alerts.");
  const count = h("p", { class: "muted", id: "alert-count" });

  const card = (a) => {
    const site = siteNames.get(a.site_id);
    const zone = site && site.time_zone;
    const note = h("input", { name: "note", maxlength: 1000, autocomplete: "off" });
    const button = h("button", { type: "submit" }, "Acknowledge");
    const headingId = `alert-${a.id}`;
    const li = h(
      "li",
      { class: "card", dataset: { alert: a.id } },
      h(
        "h2",
        { id: headingId },
        `${kinds[a.kind] || a.kind}: `,
        h("a", { href: `#/client/${a.client_id}` }, a.client_first_name || `client ${a.client_id}`),
      ),
      h("p", {}, a.text),
      h(
        "p",
        { class: "muted" },
        `Raised ${dateTime(a.created_at, zone)}`,
        site ? `, ${site.name}` : "",
        a.session_id ? [", ", h("a", { href: `#/session/${a.session_id}` }, "open the roster")] : "",
        a.escalation_step > 0 ? `, escalated ${a.escalation_step}×` : "",
      ),
      h(
        "form",
        {
          class: "ack",
          "aria-labelledby": headingId,
          onsubmit: async (ev) => {
            ev.preventDefault();
            button.disabled = true;
            try {
              const body = note.value.trim() ? { note: note.value.trim() } : {};
              await api("POST", `/v1/alerts/${a.id}/acknowledge`, body);
              alerts = alerts.filter((x) => x.id !== a.id);
              li.remove();
              show();
              announce(`Acknowledged: ${kinds[a.kind] || a.kind}, ${a.client_first_name || a.client_id}.`);
              (list.querySelector("input[name=note]") || document.getElementById("main")).focus();
            } catch (e) {
              if (!(e instanceof ApiError && e.status === 401))
                announce(`Not acknowledged: ${e instanceof ApiError ? e.describe() : e.message}`);
              button.disabled = false;
            }
          },
        },
        field("Note", note),
        button,
      ),
    );
    return li;
  };

  // Keeps the cards already shown (with their typed notes), adds new ones in order.
  const show = () => {
    const have = new Map([...list.children].map((li) => [Number(li.dataset.alert), li]));
    const want = alerts.map((a) => have.get(a.id) || card(a));
    for (const [id, li] of have) if (!alerts.some((a) => a.id === id)) li.remove();
    want.forEach((li, i) => {
      if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null);
    });
    empty.hidden = alerts.length > 0;
    count.textContent = `${alerts.length} open alert${alerts.length === 1 ? "" : "s"}${mine ? " about my clients" : " at my sites"}.`;
  };

  const toggle = canMine
    ? h(
        "fieldset",
        { class: "toggle" },
        h("legend", {}, "Show"),
        h(
          "label",
          {},
          h("input", { type: "radio", name: "show", value: "mine", checked: mine, onchange: () => go("#/alerts?show=mine") }),
          "Mine",
        ),
        h(
          "label",
          {},
          h("input", { type: "radio", name: "show", value: "sites", checked: !mine, onchange: () => go("#/alerts?show=sites") }),
          "My sites",
        ),
      )
    : null;

  show();
  render("Alerts", toggle, count, empty, list);
  return every(15000, async () => {
    try {
      alerts = (await api("GET", path)).alerts;
      show();
    } catch {
      // tried again next round
    }
  });
}
