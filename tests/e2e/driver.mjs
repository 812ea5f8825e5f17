// Drives the staff web page in Debian's headless Chromium (playwright-core, /usr/bin/chromium)
// against a real rollcalld that tests/e2e/web_e2e_test.cpp has started and seeded. Every page is
// checked with axe-core (WCAG 2.x A and AA) and saved as a screenshot at desktop (1440x900)
// and tablet (800x1280) widths. Exits non-zero on the first failed step.
//
// Environment:
//   ROLLCALL_URL          http://127.0.0.1:PORT of rollcalld
//   ROLLCALL_E2E_PLAN     JSON: what the test seeded (see web_e2e_test.cpp, plan_json)
//   ROLLCALL_SCREENSHOTS  directory for the PNGs (created)
//   ROLLCALL_CHROMIUM     the browser (default /usr/bin/chromium)
import { mkdirSync, readFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { chromium } from "playwright-core";

const base = process.env.ROLLCALL_URL;
const plan = JSON.parse(process.env.ROLLCALL_E2E_PLAN || "{}");
const shots = process.env.ROLLCALL_SCREENSHOTS || "e2e-screenshots";
const executablePath = process.env.ROLLCALL_CHROMIUM || "/usr/bin/chromium";
if (!base || !plan.site_id) {
  console.error("driver: set ROLLCALL_URL and ROLLCALL_E2E_PLAN (web_e2e_test.cpp does)");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8");

const desktop = { width: 1440, height: 900 };
const tablet = { width: 800, height: 1280 };
const started = Date.now();
function step(text) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${text}`);
}
function check(ok, text) {
  if (!ok) throw new Error(`check failed: ${text}`);
}

// Problems the page reports: uncaught exceptions, and console errors other than the
// browser's own line for an HTTP error status (a 401 before sign-in is expected).
const pageProblems = [];
function watch(page, name) {
  page.on("pageerror", (e) => pageProblems.push(`${name}: uncaught ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) pageProblems.push(`${name}: console ${m.text()}`);
  });
}

// axe-core through the DevTools protocol (the page's CSP forbids injected script tags), every
// WCAG 2.0/2.1/2.2 A and AA rule; any violation fails.
async function audit(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } }),
  );
  if (result.violations.length) {
    for (const v of result.violations)
      console.error(`axe ${name}: ${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`);
    throw new Error(`axe found ${result.violations.length} WCAG violation(s) on ${name}`);
  }
}

// Screenshots at both widths (and axe at both: the layout changes below 900 px).
async function capture(page, name) {
  // The passing status line would cover part of the page in the picture.
  await page.evaluate(() => {
    document.getElementById("status").textContent = "";
  });
  await page.setViewportSize(desktop);
  await audit(page, `${name} (desktop)`);
  await page.screenshot({ path: join(shots, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(tablet);
  await audit(page, `${name} (tablet)`);
  await page.screenshot({ path: join(shots, `${name}-tablet.png`), fullPage: true });
  await page.setViewportSize(desktop);
  step(`${name}: axe clean, screenshots saved`);
}

async function heading(page, text) {
  await page.locator("main h1", { hasText: text }).first().waitFor();
}

async function signIn(page, user, password) {
  await page.goto(`${base}/`);
  await heading(page, "Sign in");
  await page.getByLabel("Username").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await heading(page, "Today");
}

const row = (page, client) => page.locator(`li[data-client="${client}"]`);
async function stateIs(page, client, status) {
  await page.locator(`li[data-client="${client}"][data-state="${status}"]`).waitFor();
}

// A second origin on loopback whose pages try to mark attendance with the browser's cookie.
function startForger() {
  const target = `${base}/v1/sessions/${plan.all_session}/attendance`;
  const forged = { client_id: plan.forged_client, status: "absent" };
  // enctype=text/plain sends name=value: the name and value make up one JSON document.
  const name = JSON.stringify(forged).slice(0, -1) + ',"x":"';
  const pages = {
    "/form": `<!doctype html><title>Win a prize</title><form method="POST" action="${target}" enctype="text/plain">
      <input type="hidden" name='${name}' value='"}'><button>Claim</button></form>`,
    "/fetch": `<!doctype html><title>loading</title><script>
      fetch(${JSON.stringify(target)}, {method: "POST", mode: "no-cors", credentials: "include",
        headers: {"Content-Type": "text/plain"}, body: ${JSON.stringify(JSON.stringify(forged))}})
        .then(() => { document.title = "sent"; }, () => { document.title = "failed"; });
      </script>`,
  };
  const server = http.createServer((req, res) => {
    const body = pages[req.url];
    res.writeHead(body ? 200 : 404, { "Content-Type": "text/html" });
    res.end(body || "");
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function forgedStatus(page, url, trigger) {
  const answer = page.waitForResponse(
    (r) => r.url() === `${base}/v1/sessions/${plan.all_session}/attendance` && r.request().method() === "POST",
    { timeout: 60000 },
  );
  await page.goto(url);
  if (trigger) await trigger();
  const r = await answer;
  const headers = await r.request().allHeaders();
  return { status: r.status(), cookie: /rollcall_session=/.test(headers.cookie || "") };
}

async function rosterStatus(page, session, client) {
  return page.evaluate(
    async ([s, c]) => {
      const r = await fetch(`/v1/sessions/${s}/roster`, { credentials: "same-origin" });
      const body = await r.json();
      return body.clients.find((x) => x.client_id === c).status;
    },
    [session, client],
  );
}

async function main() {
  step(`chromium ${executablePath}, rollcalld ${base}, screenshots in ${shots}`);
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    await counselorFlow(browser);
    await frontDeskFlow(browser);
  } finally {
    await browser.close();
  }
  check(pageProblems.length === 0, `the page reported problems:\n${pageProblems.join("\n")}`);
  step("all checks passed");
}

async function counselorFlow(browser) {
  const ctx = await browser.newContext({ viewport: desktop });
  ctx.setDefaultTimeout(60000);
  const page = await ctx.newPage();
  watch(page, "counselor");

  // Headers of the page itself.
  const index = await page.goto(`${base}/`);
  const h = index.headers();
  check(h["content-security-policy"] === "default-src 'self'; frame-ancestors 'none'", `CSP: ${h["content-security-policy"]}`);
  check(h["x-content-type-options"] === "nosniff", "nosniff");
  check(h["referrer-policy"] === "no-referrer", "Referrer-Policy");

  // Sign-in: a wrong password is refused with one generic message.
  await heading(page, "Sign in");
  await capture(page, "signin");
  await page.getByLabel("Username").fill(plan.counselor.username);
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("alert").filter({ hasText: "Sign-in failed" }).waitFor();
  step("a wrong password is refused");
  await signIn(page, plan.counselor.username, plan.counselor.password);
  step("signed in as the counselor");

  // Today: both sessions with their counts.
  const closed = page.locator(`[data-session="${plan.marking_session}"]`);
  const open = page.locator(`[data-session="${plan.all_session}"]`);
  await closed.waitFor();
  await open.waitFor();
  check((await open.locator('[data-count="expected"]').textContent()) === String(plan.all_clients.length), "Q expected count");
  check((await open.locator('[data-count="present"]').textContent()) === "0", "Q present count before");
  check((await closed.locator('[data-count="excused"]').textContent()) === "3", "P excused count before");
  await capture(page, "today");

  // The roster of the session that is over: present (keyboard, Enter), late (minutes), absent
  // (keyboard, Space); undo once and redo.
  await closed.getByRole("link").click();
  await heading(page, "Roster:");
  const [ana, ben, cy] = plan.marking_clients;
  await row(page, ana.id).waitFor();
  await page.locator("main").focus();
  let reached = false;
  for (let i = 0; i < 40 && !reached; ++i) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement?.matches("li[data-client] button[data-status]") ?? false);
  }
  check(reached, "Tab reaches the mark buttons");
  for (const b of await page.locator("li[data-client] button[data-status]").all()) {
    const box = await b.boundingBox();
    check(box && box.height >= 44 && box.width >= 44, `mark buttons are at least 44 px (${JSON.stringify(box)})`);
  }
  await row(page, ana.id).locator("a.client-link").focus();
  await page.keyboard.press("Tab");
  check(
    await page.evaluate((id) => document.activeElement?.matches(`li[data-client="${id}"] button[data-status="present"]`), ana.id),
    "Tab from the client's name goes to Present",
  );
  await page.keyboard.press("Enter");
  await stateIs(page, ana.id, "present");
  step(`${ana.name} present (keyboard: Enter)`);

  await row(page, ben.id).locator('button[data-status="late"]').click();
  const minutes = page.getByLabel(`Minutes late (${ben.name})`);
  await minutes.waitFor();
  check(await minutes.evaluate((e) => e === document.activeElement), "the minutes field takes focus");
  await minutes.fill("10");
  await minutes.press("Enter");
  await stateIs(page, ben.id, "late");
  await row(page, ben.id).locator(".state", { hasText: "10 min late" }).waitFor();
  step(`${ben.name} late 10 minutes`);

  await row(page, cy.id).locator('button[data-status="absent"]').focus();
  await page.keyboard.press("Space");
  await stateIs(page, cy.id, "absent");
  check(
    (await row(page, cy.id).locator('button[data-status="absent"]').getAttribute("aria-pressed")) === "true",
    "aria-pressed on the chosen status",
  );
  await row(page, cy.id).locator(".state", { hasText: `by ${plan.counselor.username}` }).waitFor();
  step(`${cy.name} absent (keyboard: Space), shown as marked by ${plan.counselor.username}`);

  // P's attendance is closed: an undo would leave Cy with no mark for good (the no-show sweep
  // looks at open sessions only), so it is refused, the page says to correct instead, and the
  // action stays on the undo stack.
  await page.getByRole("button", { name: /^Undo:/ }).click();
  await page.locator("p.error", { hasText: "correction" }).waitFor();
  await stateIs(page, cy.id, "absent");
  await page.getByRole("button", { name: `Undo: ${cy.name} absent` }).waitFor();
  step("no undo once the session's attendance is closed");
  await capture(page, "roster");

  // The marks survive a reload (and the page signs itself in again from the cookie).
  await page.reload();
  await heading(page, "Roster:");
  await stateIs(page, ana.id, "present");
  await stateIs(page, ben.id, "late");
  await stateIs(page, cy.id, "absent");
  step("the marks survive a reload");

  // Today updates without reloading while another tab marks everyone present.
  await page.goto(`${base}/#/today?site=${plan.site_id}`);
  await heading(page, "Today");
  await open.waitFor();
  await page.evaluate(() => {
    window.__notReloaded = true;
  });
  const other = await ctx.newPage();
  watch(other, "counselor tab 2");
  await other.goto(`${base}/#/session/${plan.all_session}`);
  await heading(other, "Roster:");
  await other.getByRole("button", { name: "Mark all present" }).click();
  for (const c of plan.all_clients) await stateIs(other, c.id, "present");
  // Undo takes back exactly the marks it wrote (by mark id); redo writes them again.
  await other.getByRole("button", { name: /^Undo:/ }).click();
  for (const c of plan.all_clients) await stateIs(other, c.id, "expected");
  await other.getByRole("button", { name: /^Redo:/ }).click();
  for (const c of plan.all_clients) await stateIs(other, c.id, "present");
  step("mark all present in a second tab, undo and redo");
  // A third tab marks the last client absent: undoing "marked present" now takes back the
  // others only, says why, and keeps the rest on the undo stack.
  const [first, last] = [plan.all_clients[0], plan.all_clients[plan.all_clients.length - 1]];
  const third = await ctx.newPage();
  watch(third, "counselor tab 3");
  await third.goto(`${base}/#/session/${plan.all_session}`);
  await heading(third, "Roster:");
  await row(third, last.id).locator('button[data-status="absent"]').click();
  await stateIs(third, last.id, "absent");
  await third.close();
  await other.getByRole("button", { name: /^Undo:/ }).click();
  await other.locator("p.error", { hasText: "the mark changed" }).waitFor();
  await stateIs(other, first.id, "expected");
  await stateIs(other, last.id, "absent");
  await other.getByRole("button", { name: /^Undo: .*\(1 left\)$/ }).waitFor();
  for (const c of plan.all_clients) {
    await row(other, c.id).locator('button[data-status="present"]').click();
    await stateIs(other, c.id, "present");
  }
  await other.close();
  step("a partly failed undo keeps only what was not undone");
  await page.waitForFunction(
    ([id, n]) => document.querySelector(`[data-session="${id}"] [data-count="present"]`)?.textContent === String(n),
    [plan.all_session, plan.all_clients.length],
    { timeout: 60000, polling: 250 },
  );
  check(await page.evaluate(() => window.__notReloaded === true), "Today was not reloaded");
  check((await closed.locator('[data-count="absent"]').textContent()) === "1", "P absent count");
  check((await closed.locator('[data-count="late"]').textContent()) === "1", "P late count");
  step("Today's counts updated in place");

  // Alerts: the missed-session alert for the client marked absent appears; acknowledged with a note.
  await page.getByRole("link", { name: "Alerts", exact: true }).click();
  await heading(page, "Alerts");
  const alertCard = page.locator("li[data-alert]", { hasText: cy.name }).filter({ hasText: "Missed session" });
  await alertCard.first().waitFor({ timeout: 120000 });
  step("the missed-session alert appeared");
  await capture(page, "alerts");
  await alertCard.first().getByLabel("Note").fill(plan.ack_note);
  await alertCard.first().getByRole("button", { name: "Acknowledge" }).click();
  await alertCard.first().waitFor({ state: "detached" });
  step("acknowledged with a note");

  // The client view (with message texts for a counselor) and the group views.
  await page.goto(`${base}/#/client/${plan.text_client}`);
  await heading(page, plan.text_client_name);
  await page.locator(".message-text").first().waitFor();
  await capture(page, "client");
  await page.goto(`${base}/#/client/${cy.id}`);
  await heading(page, cy.name);
  await page.locator("table", { hasText: "Absent" }).first().waitFor();
  await capture(page, "client-history");
  await page.getByRole("link", { name: "Groups", exact: true }).click();
  await heading(page, "Groups");
  await capture(page, "groups");
  await page.getByRole("link", { name: plan.group_name, exact: true }).click();
  await heading(page, plan.group_name);
  await page.locator("table", { hasText: plan.text_client_name }).first().waitFor();
  await capture(page, "group");

  // Forged cross-site requests while the browser holds a valid session: refused, no change.
  const forger = await startForger();
  const port = forger.address().port;
  const evil = await ctx.newPage();
  const results = {
    form: await forgedStatus(evil, `http://127.0.0.1:${port}/form`, () => evil.getByRole("button", { name: "Claim" }).click()),
    fetch: await forgedStatus(evil, `http://127.0.0.1:${port}/fetch`),
    crossSiteFetch: await forgedStatus(evil, `http://localhost:${port}/fetch`),
  };
  await evil.close();
  forger.close();
  step(`forged requests: ${JSON.stringify(results)}`);
  // Same site (another port of 127.0.0.1): the cookie goes along, so rollcalld itself must refuse.
  check(results.form.status === 403, `the forged form POST was answered ${results.form.status}, not 403`);
  // A fetch: refused (403), or sent without the cookie (401; the browser reports the cookie
  // header of a no-cors request unreliably, so either answer passes when it says none went).
  for (const [name, r] of [["same-site fetch", results.fetch], ["cross-site fetch", results.crossSiteFetch]])
    check(r.status === 403 || (r.status === 401 && !r.cookie), `the forged ${name} was answered ${r.status}`);
  check((await rosterStatus(page, plan.all_session, plan.forged_client)) === "present", "the forged mark did not land");

  // Sign out: the old cookie is refused afterwards.
  const cookie = (await ctx.cookies(base)).find((c) => c.name === "rollcall_session");
  check(cookie && cookie.httpOnly && cookie.sameSite === "Strict", `the session cookie is HttpOnly and SameSite=Strict`);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await heading(page, "Sign in");
  await page.getByText("You have signed out.").waitFor();
  const after = await fetch(`${base}/v1/session`, { headers: { Cookie: `rollcall_session=${cookie.value}` } });
  check(after.status === 401, `GET /v1/session with the old cookie answered ${after.status}`);
  await page.goto(`${base}/#/today`);
  await heading(page, "Sign in");
  step("signed out; the old cookie is refused");
  await ctx.close();
}

async function frontDeskFlow(browser) {
  const ctx = await browser.newContext({ viewport: desktop });
  ctx.setDefaultTimeout(60000);
  const page = await ctx.newPage();
  watch(page, "front desk");
  await signIn(page, plan.front_desk.username, plan.front_desk.password);
  step("signed in as the front desk");

  await page.goto(`${base}/#/client/${plan.text_client}`);
  await heading(page, plan.text_client_name);
  await page.locator("#no-text").waitFor();
  check((await page.locator(".message-text").count()) === 0, "no message text cells for the front desk");
  const body = await page.locator("main").innerText();
  for (const t of plan.message_texts) check(!body.includes(t), "a message text is on the front desk's page");
  await capture(page, "client-front-desk");

  await page.getByRole("link", { name: "Alerts", exact: true }).click();
  await heading(page, "Alerts");
  check((await page.locator("fieldset.toggle").count()) === 0, "no Mine toggle for the front desk");
  await capture(page, "alerts-front-desk");

  const admin = await page.evaluate(async () => (await fetch("/v1/audit", { credentials: "same-origin" })).status);
  check(admin === 403, `GET /v1/audit (admin only) answered ${admin} to the front desk`);
  step("the front desk is refused an admin route");

  // The session ends elsewhere (signed out in another tab): the open Alerts page finds out at
  // its next refresh and goes back to the sign-in form, saying why.
  const other = await ctx.newPage();
  watch(other, "front desk tab 2");
  await other.goto(`${base}/#/today`);
  await heading(other, "Today");
  await other.getByRole("button", { name: "Sign out", exact: true }).click();
  await heading(other, "Sign in");
  await other.close();
  await page.locator("main h1", { hasText: "Sign in" }).waitFor({ timeout: 60000 });
  await page.getByText("Your session has ended").waitFor();
  step("an ended session sends the open page back to sign-in");
  await ctx.close();
}

main().catch((e) => {
  console.error(`driver: ${e.stack || e}`);
  process.exit(1);
});
