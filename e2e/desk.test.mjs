// The help desk end to end, as deployed: Chromium → the simulator's sign-in proxy stand-in →
// myq-gateway → the simulator's MyQ X API. An operator (signed in with the group print-desk, the
// gateway's operator_group) scans a student's card, types an amount and confirms, all by
// keyboard; the simulator credits once, the gateway charges nothing (cash at the desk), and in
// print only the receipt shows. The shift view lists what the operator credited, as MyQ X
// completed it, takes a flag on a mistake and downloads the CSV. A student opening the same page
// is refused by the gateway.
//
// Run by `cargo xtask test` with MYQ_SIM_URL and MYQ_PORTAL_URL set. It resets the simulator
// first (the browser tests before it leave payments and faults behind); payment ids go on
// counting across resets, so the gateway's ledger never meets an id twice. It also counts what it
// changed, so it runs as well after the other files as before them. Screenshots go to target/e2e/ (docs/desk-*.png are
// copies).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import {
  JNOVAK, PORTAL, SIM, axeViolations, control, launchChromium, watchProblems,
} from "./support.mjs";

const SHOTS = new URL("../target/e2e/", import.meta.url);
/** jnovak's card in the simulator: `04` and the user id in 8 hex digits (34173 = 0x857D). */
const JNOVAK_CARD = "040000857D";
const DESK_PAGE = "/myq-topup/desk.html";
const VIEWPORT = { width: 760, height: 700 };

let browser;

before(async () => {
  assert.ok(SIM && PORTAL, "MYQ_SIM_URL and MYQ_PORTAL_URL name the simulator and the portal: run through `cargo xtask test`");
  mkdirSync(SHOTS, { recursive: true });
  await control("POST", "/reset");
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** What the simulator and its billing stand-in hold now, as far as these tests look. */
async function books() {
  const state = await control("GET", "/state");
  const { charges } = await control("GET", "/billing/charges");
  return {
    credit: state.users.find((user) => user.id === JNOVAK).credit,
    payments: state.payments,
    commits: state.requests["payments.commit"]?.count ?? 0,
    charges: charges.length,
  };
}

/** A fresh context whose page errors, console errors and CSP violations are collected. */
async function watchedPage(options = {}) {
  const context = await browser.newContext({ reducedMotion: "reduce", viewport: VIEWPORT, ...options });
  const page = await context.newPage();
  const problems = await watchProblems(page);
  return { context, page, problems };
}

/** Signs in on the demo sign-in page by keyboard, with `groups` (may be empty); lands on `lands`. */
async function signIn(page, username, groups, lands) {
  await page.goto(`${PORTAL}/demo/sign-in`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel(/^Groups/).fill(groups);
  await Promise.all([
    page.waitForURL(`${PORTAL}${lands}`),
    page.getByLabel(/^Groups/).press("Enter"),
  ]);
}

/** The id of the element focused inside the widget's shadow root. */
function focusedId(page) {
  return page.evaluate(() => document.querySelector("myq-topup")?.shadowRoot?.activeElement?.id ?? "");
}

async function untilFocused(page, id) {
  await page.waitForFunction(
    (id) => document.querySelector("myq-topup")?.shadowRoot?.activeElement?.id === id,
    id,
  );
}

async function noViolations(page, view) {
  const found = await axeViolations(page);
  assert.deepEqual(found, [], `${view}: ${found.join("; ")}`);
}

async function shot(page, name, fullPage = false) {
  await page.screenshot({ path: new URL(`desk-${name}.png`, SHOTS).pathname, fullPage });
}

describe("the help desk through the gateway", () => {
  test("an operator scans a card, credits cash by keyboard, and the receipt alone prints", async () => {
    // axe is injected past the CSP; the page under test keeps its own.
    const { page, context, problems } = await watchedPage({ bypassCSP: true });
    await signIn(page, "helpdesk", "print-desk", DESK_PAGE);
    // The page asks who is signed in after it loads.
    await page.locator("#who", { hasText: "Signed in as" }).waitFor();
    assert.equal(
      await page.locator("#who").innerText(),
      "Signed in as helpdesk (groups: print-desk) (sign out).",
    );
    const desk = page.locator("myq-topup");
    assert.equal(await desk.getAttribute("operator"), "helpdesk");
    assert.equal(await desk.getAttribute("institution"), "Example University, print room");
    await untilFocused(page, "myq-topup-find");
    const start = await books();

    // The find view.
    await shot(page, "find");
    await noViolations(page, "find");

    // Several matches: jn is an alias of both jnovak and jnovakova.
    await page.keyboard.type("jn");
    await page.keyboard.press("Enter");
    const matches = desk.locator(".myq-topup__match");
    await matches.nth(1).waitFor();
    assert.equal(await matches.count(), 2);
    await shot(page, "matches");
    await noViolations(page, "matches");

    // A card reader types the number and Enter: one match, picked at once.
    await desk.locator("#myq-topup-find").fill("");
    await desk.locator("#myq-topup-find").focus();
    await page.keyboard.type(JNOVAK_CARD);
    await page.keyboard.press("Enter");
    await untilFocused(page, "myq-topup-amount");
    assert.match(await desk.locator(".myq-topup__student").innerText(), /Jan Novák/);

    // An amount and Enter asks once more; the confirming button has the focus.
    await page.keyboard.type("150");
    await page.keyboard.press("Enter");
    const confirm = desk.getByRole("button", { name: /^Confirm: CZK\s?150\.00 in cash$/ });
    await confirm.waitFor();
    assert.ok(await confirm.evaluate((button) => button.getRootNode().activeElement === button));
    assert.deepEqual((await books()).payments.length, start.payments.length, "nothing created before the confirming Enter");
    await shot(page, "amount");
    await noViolations(page, "amount");

    // Enter commits: the receipt, and back to the find field.
    await page.keyboard.press("Enter");
    const receipt = desk.locator(".myq-topup__receipt");
    await receipt.waitFor();
    await untilFocused(page, "myq-topup-find");
    const expected = start.credit + 150;
    const text = await receipt.innerText();
    assert.match(text, /Example University, print room/);
    assert.match(text, /helpdesk/);
    assert.match(text, /jnovak/);
    assert.match(text, /CZK\s?150\.00/);
    assert.match(text, new RegExp(`New credit\\s+CZK\\s?${expected.toFixed(2).replace(".", "\\.")}`));

    // Credited once, as cash: one new payment, completed, one commit, nothing charged at billing.
    const end = await books();
    assert.equal(end.credit, expected);
    const created = end.payments.slice(start.payments.length);
    assert.deepEqual(created.map((p) => [p.userId, p.amount, p.state]), [[JNOVAK, 150, "completed"]]);
    assert.equal(end.commits, start.commits + 1);
    assert.equal(end.charges, start.charges, "the gateway charged nothing at the billing endpoint");

    await shot(page, "receipt");
    await noViolations(page, "receipt");

    // In print, the receipt is what shows; the page and the rest of the widget are hidden.
    await page.emulateMedia({ media: "print" });
    assert.ok(await receipt.isVisible(), "the receipt prints");
    assert.match(await receipt.innerText(), /jnovak/);
    for (const hidden of ["h1", "#who", ".demo-notice", "myq-topup .myq-topup__find"]) {
      assert.ok(!(await page.locator(hidden).first().isVisible()), `${hidden} is hidden in print`);
    }
    assert.ok(!(await desk.getByRole("button", { name: "Print receipt" }).isVisible()), "the print button is hidden in print");
    await shot(page, "print");
    await page.emulateMedia({ media: "screen" });
    assert.ok(await page.locator("h1").isVisible());

    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the shift: its count and total are what MyQ X completed for the operator; a flag; the CSV; in Czech", async () => {
    const { page, context, problems } = await watchedPage({ bypassCSP: true, acceptDownloads: true });
    // An operator of this test alone, so the shift holds only what it credits.
    const operator = `cashier${Date.now() % 100000}`;
    await signIn(page, operator, "print-desk", DESK_PAGE);
    const desk = page.locator("myq-topup");
    await untilFocused(page, "myq-topup-find");
    const start = await books();

    // Two credits by keyboard: a card scan, then a username.
    for (const [find, amount] of [[JNOVAK_CARD, "40"], ["mdvorak", "25.50"]]) {
      await page.keyboard.type(find);
      await page.keyboard.press("Enter");
      await untilFocused(page, "myq-topup-amount");
      await page.keyboard.type(amount);
      await page.keyboard.press("Enter");
      await desk.getByRole("button", { name: /^Confirm:/ }).waitFor();
      await page.keyboard.press("Enter");
      await desk.locator(".myq-topup__receipt").waitFor();
      await untilFocused(page, "myq-topup-find");
    }
    const completed = (await books()).payments
      .slice(start.payments.length)
      .filter((payment) => payment.state === "completed");
    assert.equal(completed.length, 2);
    const completedTotal = completed.reduce((sum, payment) => sum + payment.amount, 0);

    // The shift: what MyQ X completed for this operator, line by line, counted and summed.
    await desk.getByRole("button", { name: "Shift", exact: true }).click();
    const summary = desk.locator(".myq-topup__shift-summary");
    await summary.waitFor();
    // Keyboard first: the day has the focus, and Enter shows it again.
    await untilFocused(page, "myq-topup-since");
    assert.equal(
      (await summary.innerText()).replace(/\s/g, " "),
      `${completed.length} credits · Total: CZK ${completedTotal.toFixed(2)} · Flagged as a mistake: 0`,
    );
    const rows = desk.locator(".myq-topup__shift-lines tbody tr");
    assert.equal(await rows.count(), completed.length);
    const lines = [];
    for (let i = 0; i < completed.length; i += 1) {
      const cells = await rows.nth(i).locator("td").allInnerTexts();
      lines.push([cells[1], cells[2], cells[3].replace(/\s/g, " ")]);
    }
    const usernames = { [JNOVAK]: "jnovak", 34175: "mdvorak" };
    assert.deepEqual(
      lines.sort(),
      completed
        .map((payment) => [String(payment.id), usernames[payment.userId] ?? String(payment.userId), `CZK ${payment.amount.toFixed(2)}`])
        .sort(),
    );
    await shot(page, "shift", true);
    await noViolations(page, "shift");

    // A flag needs a reason: an empty one is refused in the widget, and nothing is sent.
    const flagRequests = [];
    page.on("request", (request) => {
      if (request.url().includes("/desk/credits/")) flagRequests.push(request.url());
    });
    const wrong = rows.filter({ hasText: "mdvorak" });
    await wrong.getByRole("button", { name: "Flag as a mistake" }).click();
    const reason = desk.getByLabel(/^Why is this credit a mistake\? \(Payment no\. \d+\)$/);
    await untilFocused(page, "myq-topup-flag-reason");
    await desk.getByRole("button", { name: "Flag", exact: true }).click();
    const problem = desk.locator(".myq-topup__problem[role=alert]");
    await problem.waitFor();
    assert.equal(await problem.innerText(), "Say why the credit is a mistake.");
    assert.deepEqual(flagRequests, []);
    await noViolations(page, "flag form");
    await shot(page, "flag", true);

    await reason.fill("typed 25.50 for 2.55");
    await reason.press("Enter");
    await wrong.getByText(`typed 25.50 for 2.55 (${operator})`).waitFor();
    assert.equal(flagRequests.length, 1);
    assert.match(await summary.innerText(), /Flagged as a mistake: 1$/);
    assert.equal(await problem.count(), 0, "the refused reason's message is gone");
    await shot(page, "flagged", true);

    // The money did not move: a flag is for an administrator to correct in MyQ X.
    assert.equal((await books()).credit, start.credit + 40);

    // "Download CSV": the gateway's file, with the flag, under a name with the day.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      desk.getByRole("button", { name: "Download CSV" }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^shift-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await download.path(), "utf8").split("\r\n").filter(Boolean);
    assert.equal(csv[0], "credited at,payment,user id,username,amount,operator,flag reason,flagged by,flagged at");
    assert.equal(csv.length, 1 + completed.length);
    const flaggedRow = csv.find((row) => row.includes("mdvorak"));
    assert.match(flaggedRow, new RegExp(`,25\\.50,${operator},typed 25\\.50 for 2\\.55,${operator},`));

    // Shown again from the gateway: the flag is kept.
    await desk.getByRole("button", { name: "Show", exact: true }).click();
    await wrong.getByText(`typed 25.50 for 2.55 (${operator})`).waitFor();

    // Back to finding users, the field focused for the next scan.
    await desk.getByRole("button", { name: "Back to finding users" }).click();
    await untilFocused(page, "myq-topup-find");

    // In Czech, the shift shows no English.
    await desk.evaluate((element) => element.setAttribute("locale", "cs"));
    await desk.getByRole("button", { name: "Směna", exact: true }).click();
    await summary.waitFor();
    assert.match(await summary.innerText(), /^2 dobití · Celkem: 65,50\sKč · Označeno jako chyba: 1$/);
    const czech = await desk.locator(".myq-topup__shift").innerText();
    for (const english of ["Shift", "Since", "Show", "credits", "Total", "Flagged", "Time", "Download", "Back", "Flag as", "Amount", "User"]) {
      assert.ok(!czech.includes(english), `"${english}" in the Czech shift: ${czech}`);
    }
    await shot(page, "shift-cs", true);
    await noViolations(page, "Czech shift");

    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a student opening the desk: the gateway refuses the find, the widget says so, nothing is created", async () => {
    const { page, context, problems } = await watchedPage();
    await signIn(page, "jnovak", "", "/myq-topup/portal.html");
    const response = await page.goto(`${PORTAL}${DESK_PAGE}`);
    assert.match(response.headers()["content-security-policy"], /script-src 'self' 'wasm-unsafe-eval'/);
    await page.locator("#who", { hasText: "Signed in as" }).waitFor();
    assert.equal(await page.locator("#who").innerText(), "Signed in as jnovak (no groups) (sign out).");
    await untilFocused(page, "myq-topup-find");
    const start = await books();

    const refusals = [];
    page.on("response", (answer) => {
      if (answer.url().includes("/myq-api/v3/users/find")) refusals.push(answer.status());
    });
    await page.keyboard.type(JNOVAK_CARD);
    await page.keyboard.press("Enter");
    const problem = page.locator("myq-topup .myq-topup__problem[role=alert]");
    await problem.waitFor();
    assert.ok(await problem.isVisible());
    const message = await problem.innerText();
    assert.equal(message, "The print server refused: Students can top up only their own account");
    assert.ok(refusals.length > 0 && refusals.every((status) => status === 403), `users/find answered ${refusals}`);
    assert.equal(await page.locator("myq-topup .myq-topup__match").count(), 0);
    assert.equal(await page.locator("myq-topup #myq-topup-amount").count(), 0);

    const end = await books();
    assert.equal(end.credit, start.credit);
    assert.equal(end.payments.length, start.payments.length, "nothing was created");
    assert.equal(end.charges, start.charges);
    await shot(page, "refused");
    // The refusal is the gateway's answer, shown as an error; no page error besides the
    // browser's own report of the 403.
    assert.deepEqual(problems.filter((p) => !/status of 403/.test(p)), []);
    await context.close();
  });
});
