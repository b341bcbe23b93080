// The student portal end to end, as deployed: Chromium → the simulator's sign-in proxy
// stand-in → myq-gateway → the simulator's MyQ X API and billing endpoint. The student signs in
// on the demo page and tops up by mouse; the simulator credits once, and no MyQ X token ever
// reaches the page.
//
// Run by `cargo xtask test` with MYQ_SIM_URL and MYQ_PORTAL_URL set.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  JNOVAK, PORTAL, SIM, axeViolations, control, creditOf, launchChromium, watchProblems,
} from "./support.mjs";

const PORTAL_PAGE = "/myq-topup/portal.html";

let browser;

before(async () => {
  assert.ok(SIM && PORTAL, "MYQ_SIM_URL and MYQ_PORTAL_URL name the simulator and the portal: run through `cargo xtask test`");
  // Payment ids go on counting across a reset, so the gateway's ledger stays consistent.
  await control("POST", "/reset");
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

const credit = () => creditOf(JNOVAK);

/**
 * A fresh browser context whose every request and response (URL, headers, body) is recorded
 * as text, and whose page errors and CSP violations are collected.
 */
async function recordedPage(options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const seen = [];
  const reads = [];
  page.on("request", (request) => {
    reads.push((async () => {
      const headers = await request.allHeaders();
      seen.push({
        url: request.url(),
        text: `${request.method()} ${request.url()}\n${JSON.stringify(headers)}\n${request.postData() ?? ""}`,
      });
    })());
  });
  page.on("response", (response) => {
    reads.push((async () => {
      const headers = await response.allHeaders();
      // Redirects and aborted loads have no body to read.
      const body = await response.body().then((b) => b.toString("latin1"), () => "");
      seen.push({
        url: response.url(),
        text: `${response.status()} ${response.url()}\n${JSON.stringify(headers)}\n${body}`,
      });
    })());
  });
  const problems = await watchProblems(page);
  /** Everything recorded so far, once every body is read. */
  const traffic = async () => {
    await Promise.all(reads);
    return seen;
  };
  return { context, page, problems, traffic };
}

/** Signs in on the demo sign-in page by mouse, as the name it offers (jnovak), and lands on the portal. */
async function signIn(page) {
  await page.goto(`${PORTAL}/demo/sign-in`);
  assert.match(
    await page.locator(".demo-notice").innerText(),
    /Demo sign-in — stands in for your university's single sign-on/,
  );
  assert.equal(await page.getByLabel("Username").inputValue(), "jnovak");
  await Promise.all([
    page.waitForURL(`${PORTAL}${PORTAL_PAGE}`),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
  await page.locator("myq-topup .myq-topup__balance").waitFor();
}

describe("the student portal through the gateway", () => {
  test("nobody signed in: the page says so, and the gateway hands out no session", async () => {
    const { page, context } = await recordedPage();
    const response = await page.goto(`${PORTAL}${PORTAL_PAGE}`);
    assert.equal(response.status(), 200);
    assert.match(response.headers()["content-security-policy"], /script-src 'self' 'wasm-unsafe-eval'/);
    await page.locator("#who", { hasText: "Nobody is signed in." }).waitFor();
    assert.equal(await page.locator("myq-topup").count(), 0);
    assert.ok(await page.locator("#sign-in-first").isVisible());
    // A sign-in header the page makes up is dropped by the sign-in proxy.
    const status = await page.evaluate(async () => (await fetch("/myq-session", {
      method: "POST",
      headers: { "X-Auth-Request-User": "jnovak" },
    })).status);
    assert.equal(status, 401);
    await context.close();
  });

  test("a top-up by mouse credits once, and no MyQ X token reaches the page", async () => {
    const { page, context, problems, traffic } = await recordedPage();
    await signIn(page);
    assert.equal(await page.locator("#who").innerText(), "Signed in as jnovak (sign out).");
    const before = await credit();
    assert.equal(before, 120);
    await page.getByRole("button", { name: "Top up credit" }).click();
    await page.getByRole("button", { name: /^CZK\s?100\.00$/ }).click();
    await page.getByRole("button", { name: /^Top up CZK\s?100\.00$/ }).click();
    const result = page.locator("myq-topup .myq-topup__result");
    await result.waitFor();
    assert.match(await result.innerText(), /Added CZK\s?100\.00 .*New credit: CZK\s?220\.00\./);

    // Credited once: one payment, completed, charged once by the billing endpoint first.
    assert.equal(await credit(), before + 100);
    const state = await control("GET", "/state");
    assert.deepEqual(state.payments.map((p) => [p.userId, p.amount, p.state]), [[JNOVAK, 100, "completed"]]);
    assert.equal(state.requests["payments.commit"].count, 1);
    const charges = await control("GET", "/billing/charges");
    assert.deepEqual(charges.charges.map((c) => [c.account, c.amountCents, c.status]), [["jnovak", 10000, "approved"]]);

    // The page spoke only to the portal's origin, never to MyQ X, and saw none of its tokens.
    const seen = await traffic();
    const origins = new Set(seen.map((entry) => new URL(entry.url).origin));
    assert.deepEqual([...origins], [PORTAL]);
    assert.ok(seen.some((entry) => entry.url.endsWith("/myq-session")), "the session was fetched");
    assert.ok(seen.some((entry) => entry.url.includes("/myq-api/v3/")), "the API went through the gateway");
    const { tokens } = await control("GET", "/tokens");
    assert.ok(tokens.length > 0, "the gateway holds a MyQ X token");
    // Access and refresh tokens alike.
    for (const token of tokens) {
      for (const entry of seen) {
        assert.ok(!entry.text.includes(token), `a MyQ X token in ${entry.url}`);
      }
    }
    assert.ok(!seen.some((entry) => entry.text.includes("demo-secret")), "the client secret stays in the gateway");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("no accessibility violations (axe-core): the sign-in page, and the portal light and dark", async () => {
    for (const colorScheme of ["light", "dark"]) {
      // axe is injected past the CSP; the pages under test keep their own.
      const context = await browser.newContext({ bypassCSP: true, colorScheme });
      const page = await context.newPage();
      await page.goto(`${PORTAL}/demo/sign-in`);
      let found = await axeViolations(page);
      assert.deepEqual(found, [], `sign-in, ${colorScheme}: ${found.join("; ")}`);
      await signIn(page);
      await page.getByRole("button", { name: "Top up credit" }).click();
      await page.locator("myq-topup #myq-topup-amount").fill("5");
      found = await axeViolations(page);
      assert.deepEqual(found, [], `portal, ${colorScheme}: ${found.join("; ")}`);
      await context.close();
    }
  });
});
