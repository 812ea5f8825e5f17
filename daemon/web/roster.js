// Roster of one session: one tap per client for present / late / left early / absent / excused
// (late asks the minutes late, left early the minutes attended, excused a reason), "Mark all
// present" for everyone not yet marked, undo and redo of the last actions, who marked each
// client and when, and the client's confirm / can't-make-it reply. Every change is sent at once;
// the list is then read back from the server, so what is shown is what was stored.
import { announce, api, ApiError, every, field, h, statusLabels, time, who } from "./lib.js";

const choices = ["present", "late", "left_early", "absent", "excused"];
// What a status needs besides itself: [field name, label, input attributes].
const details = {
  late: ["minutes", "Minutes late", { type: "number", min: 0, max: 1440, inputmode: "numeric", required: true }],
  left_early: ["minutes", "Minutes attended", { type: "number", min: 0, max: 1440, inputmode: "numeric", required: true }],
  excused: ["reason", "Reason", { maxlength: 500, required: true }],
};

export async function rosterPage({ id, render }) {
  const sessionPath = `/v1/sessions/${id}`;
  let roster = await api("GET", `${sessionPath}/roster`);
  const site = await api("GET", `/v1/sites/${roster.site_id}`).catch(() => null);
  const zone = site && site.time_zone;
  const localDate = zone ? new Date(roster.starts_at).toLocaleDateString("en-CA", { timeZone: zone }) : "";

  // Actions: {label, marks: [MarkInput...], onlyUnmarked, written: [{client_id, id}...]}; an
  // undo names the marks it wrote (mark_id), so it never takes away a mark made elsewhere since.
  const undoStack = [];
  const redoStack = [];
  const error = h("p", { class: "error", role: "alert" });
  const summary = h("p", { class: "muted", id: "roster-summary" });
  const list = h("ul", { class: "roster" });
  const undoButton = h("button", { type: "button", class: "secondary", onclick: () => undo() }, "Undo");
  const redoButton = h("button", { type: "button", class: "secondary", onclick: () => redo() }, "Redo");
  const allButton = h("button", { type: "button", onclick: () => markAll() }, "Mark all present");
  let busy = false;

  const refresh = async () => {
    roster = await api("GET", `${sessionPath}/roster`);
    show();
  };

  // Runs one change at a time; errors are shown (and announced), and the list is read back either way.
  const act = async (fn) => {
    if (busy) return;
    busy = true;
    error.textContent = "";
    try {
      await fn();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) {
        error.textContent = `Not saved: ${e instanceof ApiError ? e.describe() : e.message}`;
        announce(error.textContent);
      }
    } finally {
      busy = false;
      await refresh().catch(() => {});
    }
  };

  // Sends marks; answers those written ({client_id, id}), which with onlyUnmarked leaves out
  // the clients someone marked meanwhile.
  const send = async (marks, onlyUnmarked = false) => {
    let written;
    if (marks.length === 1 && !onlyUnmarked) written = [await api("POST", `${sessionPath}/attendance`, marks[0])];
    else {
      const body = { marks };
      if (onlyUnmarked) body.only_unmarked = true;
      written = (await api("POST", `${sessionPath}/attendance/roster`, body)).marks;
    }
    return written.map((m) => ({ client_id: m.client_id, id: m.id }));
  };
  const only = (action, written, label) => {
    const ids = new Set(written.map((m) => m.client_id));
    return { ...action, label, marks: action.marks.filter((m) => ids.has(m.client_id)), written };
  };

  const mark = (client, input) =>
    act(async () => {
      const body = { client_id: client.client_id, status: input.status };
      if (input.minutes !== undefined) body.minutes = input.minutes;
      if (input.reason !== undefined) body.reason = input.reason;
      const written = await send([body]);
      const label = `${client.first_name} ${statusLabels[input.status].toLowerCase()}`;
      undoStack.push({ label, marks: [body], onlyUnmarked: false, written });
      redoStack.length = 0;
      announce(`${label}.`);
    });

  // Present for everyone the page believes unmarked; the server skips whoever was marked since.
  const markAll = () =>
    act(async () => {
      const marks = roster.clients.filter((c) => !c.mark).map((c) => ({ client_id: c.client_id, status: "present" }));
      if (marks.length === 0) return;
      const written = await send(marks, true);
      const label = `${written.length} marked present`;
      if (written.length > 0) {
        undoStack.push(only({ marks, onlyUnmarked: true }, written, label));
        redoStack.length = 0;
      }
      announce(written.length < marks.length ? `${label}; ${marks.length - written.length} already marked.` : `${label}.`);
    });

  // Client by client; on a failure (409: the mark changed) only what was not undone stays on
  // the undo stack, and what was goes to redo.
  const undo = () =>
    act(async () => {
      const last = undoStack.pop();
      if (!last) return;
      const done = [];
      try {
        for (const m of last.written) {
          await api("POST", `${sessionPath}/attendance/undo`, { client_id: m.client_id, mark_id: m.id });
          done.push(m);
        }
      } catch (e) {
        const left = last.written.filter((m) => !done.includes(m));
        if (done.length === 0) undoStack.push(last);
        else {
          undoStack.push(only(last, left, `${last.label} (${left.length} left)`));
          redoStack.push(only(last, done, `${last.label} (${done.length} undone)`));
        }
        throw e;
      }
      redoStack.push(last);
      announce(`Undone: ${last.label}.`);
    });

  const redo = () =>
    act(async () => {
      const next = redoStack.pop();
      if (!next) return;
      let written;
      try {
        written = await send(next.marks, next.onlyUnmarked);
      } catch (e) {
        redoStack.push(next);
        throw e;
      }
      if (written.length > 0) undoStack.push(only(next, written, next.label));
      announce(`Redone: ${next.label}.`);
    });

  const ask = (row, client, status) => {
    row.querySelector(".detail-form")?.remove();
    const [name, label, attrs] = details[status];
    const input = h("input", { name, ...attrs });
    const form = h(
      "form",
      {
        class: "detail-form",
        onsubmit: (ev) => {
          ev.preventDefault();
          const value = name === "minutes" ? Number(input.value) : input.value.trim();
          if (name === "minutes" ? !Number.isInteger(value) || input.value === "" : value === "") {
            input.setAttribute("aria-invalid", "true");
            input.focus();
            return;
          }
          form.remove();
          mark(client, { status, [name]: value });
          row.querySelector(`button[data-status="${status}"]`)?.focus();
        },
      },
      field(`${label} (${client.first_name})`, input),
      h("button", { type: "submit" }, `Save ${statusLabels[status].toLowerCase()}`),
      h(
        "button",
        {
          type: "button",
          class: "secondary",
          onclick: () => {
            form.remove();
            row.querySelector(`button[data-status="${status}"]`)?.focus();
          },
        },
        "Cancel",
      ),
    );
    row.append(form);
    input.focus();
  };

  const row = (client) => {
    const nameId = `client-${client.client_id}`;
    const li = h(
      "li",
      { dataset: { client: client.client_id } },
      h(
        "div",
        { class: "who-cell" },
        h("a", { href: `#/client/${client.client_id}`, id: nameId, class: "client-link" }, client.first_name),
        " ",
        h("span", { class: "reply" }),
        h("div", { class: "muted state" }),
      ),
      h(
        "div",
        { class: "marks", role: "group", "aria-labelledby": nameId },
        choices.map((status) =>
          h(
            "button",
            {
              type: "button",
              dataset: { status },
              "aria-pressed": "false",
              onclick: () => {
                const c = roster.clients.find((x) => x.client_id === client.client_id) || client;
                if (details[status]) ask(li, c, status);
                else mark(c, { status });
              },
            },
            statusLabels[status],
          ),
        ),
      ),
    );
    return li;
  };

  const fill = (li, c) => {
    for (const b of li.querySelectorAll("button[data-status]"))
      b.setAttribute("aria-pressed", String(b.dataset.status === c.status));
    const reply = li.querySelector(".reply");
    reply.className = c.reply ? `reply badge ${c.reply}` : "reply";
    reply.textContent = c.reply === "confirmed" ? "Confirmed" : c.reply === "declined" ? "Can't make it" : "";
    let state = statusLabels[c.status] || c.status;
    if (c.mark) {
      if (c.mark.status === "late" && c.mark.minutes !== null) state += ` (${c.mark.minutes} min late)`;
      if (c.mark.status === "left_early" && c.mark.minutes !== null) state += ` (${c.mark.minutes} min attended)`;
      if (c.mark.status === "excused" && c.mark.reason) state += ` (${c.mark.reason})`;
      const by = c.mark.source === "auto" ? "automatically" : c.mark.source === "sms" ? "by text reply" : `by ${who(c.mark.marked_by)}`;
      state += ` · marked ${by} at ${time(c.mark.marked_at, zone)}`;
    }
    li.querySelector(".state").textContent = state;
    li.dataset.state = c.status;
  };

  const show = () => {
    const rows = list.querySelectorAll("li[data-client]");
    const same =
      rows.length === roster.clients.length &&
      roster.clients.every((c, i) => Number(rows[i].dataset.client) === c.client_id);
    if (!same) list.replaceChildren(...roster.clients.map(row));
    roster.clients.forEach((c, i) => fill(list.children[i], c));
    const counts = {};
    for (const c of roster.clients) counts[c.status] = (counts[c.status] || 0) + 1;
    summary.textContent =
      `${roster.clients.length} expected` +
      Object.entries(counts)
        .map(([s, n]) => `, ${n} ${(statusLabels[s] || s).toLowerCase()}`)
        .join("") +
      (roster.cancelled ? ". This session was cancelled." : ".");
    allButton.disabled = roster.cancelled || !roster.clients.some((c) => !c.mark);
    undoButton.disabled = undoStack.length === 0;
    undoButton.textContent = undoStack.length ? `Undo: ${undoStack[undoStack.length - 1].label}` : "Undo";
    redoButton.disabled = redoStack.length === 0;
    redoButton.textContent = redoStack.length ? `Redo: ${redoStack[redoStack.length - 1].label}` : "Redo";
  };

  show();
  const back = h(
    "a",
    { href: `#/today?site=${roster.site_id}${localDate ? `&date=${localDate}` : ""}` },
    "Back to Today",
  );
  const when = zone
    ? `${new Date(roster.starts_at).toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long", timeZone: zone })}, ${time(roster.starts_at, zone)}–${time(roster.ends_at, zone)}`
    : `${roster.starts_at} – ${roster.ends_at}`;
  render(
    `Roster: ${roster.group_name}`,
    h("p", {}, back),
    h("p", {}, when, site ? `, ${site.name}` : ""),
    summary,
    h("div", { class: "toolbar" }, allButton, undoButton, redoButton),
    error,
    roster.clients.length ? list : h("p", { class: "muted" }, "Nobody is expected at this session."),
  );
  return every(15000, () => {
    if (!busy) refresh().catch(() => {});
  });
}
