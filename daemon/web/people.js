// The client view (upcoming sessions, attendance history, weekly hours against the requirement,
// messages and how they fared, opt-out and consent) and the group views (schedule, capacity,
// enrolled and waitlisted clients). Message texts appear only when the server sends them
// (not to the front desk).
import { api, dateTime, defaultSite, h, hashParams, longDate, sitePicker, sites, statusLabels, table, time, who } from "./lib.js";

const levels = { php: "PHP", iop: "IOP", op: "OP", aftercare: "Aftercare" };
const weekdays = { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" };
const slots = { morning: "Morning", afternoon: "Afternoon", evening: "Evening" };

async function zoneOf(siteId) {
  const s = (await sites()).find((x) => x.id === siteId);
  return s ? s.time_zone : undefined;
}

function hours(n) {
  return n === null || n === undefined ? "" : `${Math.round(n * 10) / 10} h`;
}

function consentText(c) {
  if (!c) return "no address";
  if (c.opted_out_at) return `opted out ${dateTime(c.opted_out_at)}`;
  return c.consent ? "consented" : "no consent recorded";
}

export async function clientPage({ id, render }) {
  const o = await api("GET", `/v1/clients/${id}/overview`);
  const open = o.episodes.find((e) => e.status === "open") || o.episodes[0];
  const zone = open ? await zoneOf(open.site_id) : undefined;
  const showsText = o.messages.some((m) => "text" in m);

  const facts = h(
    "dl",
    { class: "facts" },
    h("dt", {}, "Status"),
    h("dd", {}, o.client.status),
    h("dt", {}, "Language"),
    h("dd", {}, o.client.language || ""),
    h("dt", {}, "Level of care"),
    h("dd", {}, open ? `${levels[open.level_of_care] || open.level_of_care} since ${longDate(open.start_date)}` : "not in care"),
    h("dt", {}, "Text messages"),
    h("dd", { dataset: { contact: "sms" } }, consentText(o.contact && o.contact.sms)),
    h("dt", {}, "Email"),
    h("dd", { dataset: { contact: "email" } }, consentText(o.contact && o.contact.email)),
  );

  const upcoming = table(
    "Upcoming sessions",
    ["When", "Group", "Reply"],
    o.upcoming.map((s) => [
      h("a", { href: `#/session/${s.session_id}` }, dateTime(s.starts_at, zone)),
      h("a", { href: `#/group/${s.group_id}` }, s.group_name),
      s.cancelled ? "Cancelled" : s.reply === "confirmed" ? "Confirmed" : s.reply === "declined" ? "Can't make it" : "",
    ]),
    "No sessions in the next two weeks.",
  );
  const attendance = table(
    "Attendance, last 8 weeks",
    ["When", "Group", "Status", "Marked"],
    o.attendance.map((a) => [
      dateTime(a.starts_at, zone),
      a.group_name,
      `${statusLabels[a.status] || a.status}${a.minutes !== null && a.minutes !== undefined ? ` (${a.minutes} min)` : ""}`,
      a.source === "auto" ? "automatically" : a.source === "sms" ? "by text reply" : `${who(a.marked_by)}, ${time(a.marked_at, zone)}`,
    ]),
    "No attendance recorded yet.",
  );
  const weekly = table(
    "Weekly hours against requirement",
    ["Week", "Level", "Required", "Scheduled", "Attended", "Short by"],
    o.weekly_hours.map((w) => [
      `${w.week} (from ${w.monday})`,
      levels[w.level_of_care] || w.level_of_care,
      hours(w.required_hours),
      hours(w.scheduled_hours),
      hours(w.attended_hours),
      w.shortfall_hours > 0 ? h("span", { class: "short" }, hours(w.shortfall_hours)) : "–",
    ]),
    "No weekly hours: not in care.",
  );
  const messageHead = ["Due", "Kind", "Channel", "Status", "Delivered", "Attempts"];
  if (showsText) messageHead.push("Text");
  const messages = table(
    "Messages sent",
    messageHead,
    o.messages.map((m) => {
      const cells = [dateTime(m.due_at, zone), m.kind, m.channel, m.status, dateTime(m.delivered_at, zone), String(m.attempts)];
      if (showsText) cells.push(h("span", { class: "message-text" }, m.text ?? ""));
      return cells;
    }),
    "No messages.",
  );
  const family = table(
    "Family contacts",
    ["Relationship", "Consent", "Given", "Revoked"],
    o.family_contacts.map((f) => [f.relationship, f.consent ? "yes" : "no", dateTime(f.consent_given_at), dateTime(f.revoked_at)]),
    "No family contacts.",
  );

  render(
    o.client.first_name,
    facts,
    upcoming,
    attendance,
    weekly,
    messages,
    showsText || o.messages.length === 0 ? null : h("p", { class: "muted", id: "no-text" }, "Message texts are not shown to your role."),
    family,
  );
}

export async function groupsPage({ query, render, go }) {
  const site = Number(hashParams(query).get("site")) || (await defaultSite());
  if (!site) {
    render("Groups", h("p", {}, "No site is open to you."));
    return;
  }
  const page = await api("GET", `/v1/groups?site_id=${site}&limit=100`);
  const picker = await sitePicker(site, (id) => go(`#/groups?site=${id}`));
  render(
    "Groups",
    h("div", { class: "controls" }, picker),
    table(
      "Groups at this site",
      ["Group", "When", "Level", "Capacity", "Room"],
      page.items
        .filter((g) => !g.archived)
        .map((g) => [
          h("a", { href: `#/group/${g.id}` }, g.name),
          `${g.weekdays.map((d) => weekdays[d] || d).join(", ")} ${g.start_time.slice(0, 5)}–${g.end_time.slice(0, 5)} (${slots[g.slot] || g.slot})`,
          levels[g.level_of_care] || g.level_of_care,
          g.capacity === null ? "unlimited" : String(g.capacity),
          g.room,
        ]),
      "No groups at this site.",
    ),
  );
}

export async function groupPage({ id, render }) {
  const o = await api("GET", `/v1/groups/${id}/overview`);
  const g = o.group;
  const zone = await zoneOf(g.site_id);
  const facts = h(
    "dl",
    { class: "facts" },
    h("dt", {}, "Site"),
    h("dd", {}, o.site_name),
    h("dt", {}, "Schedule"),
    h("dd", {}, `${g.weekdays.map((d) => weekdays[d] || d).join(", ")}, ${g.start_time.slice(0, 5)}–${g.end_time.slice(0, 5)}`),
    h("dt", {}, "Level of care"),
    h("dd", {}, levels[g.level_of_care] || g.level_of_care),
    h("dt", {}, "Capacity"),
    h("dd", { id: "capacity" }, g.capacity === null ? `${o.enrolled.length} enrolled, no limit` : `${o.enrolled.length} of ${g.capacity} seats taken`),
    h("dt", {}, "Room"),
    h("dd", {}, g.room || "–"),
  );
  render(
    g.name,
    h("p", {}, h("a", { href: `#/groups?site=${g.site_id}` }, "All groups")),
    facts,
    table(
      "Upcoming sessions",
      ["When", "Roster"],
      o.upcoming.map((s) => [
        `${longDate(s.local_date)}, ${time(s.starts_at, zone)}–${time(s.ends_at, zone)}${s.cancelled ? " (cancelled)" : ""}`,
        h("a", { href: `#/session/${s.session_id}` }, `Roster of ${s.local_date}`),
      ]),
      "No upcoming sessions.",
    ),
    table(
      "Enrolled",
      ["Client", "From", "Until"],
      o.enrolled.map((c) => [h("a", { href: `#/client/${c.client_id}` }, c.first_name), c.start_date, c.end_date || ""]),
      "Nobody is enrolled.",
    ),
    table(
      "Waitlist",
      ["Position", "Client", "Status"],
      o.waitlist.map((c) => [String(c.position), h("a", { href: `#/client/${c.client_id}` }, c.first_name), c.status]),
      "Nobody is waiting.",
    ),
  );
}
