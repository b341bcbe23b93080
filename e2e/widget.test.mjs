// The built widget end to end: Debian's Chromium (driven by playwright-core) on the pages the
// simulator serves under its strict Content-Security-Policy, checked on the simulator's state.
//
// Run by `cargo xtask test` with MYQ_SIM_URL set; screenshots go to target/e2e/.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { JNOVAK, SIM, axeViolations, control, creditOf, launchChromium, watchProblems } from "./support.mjs";

const SHOTS = new URL("../target/e2e/", import.meta.url);

let browser;

before(async () => {
  assert.ok(SIM, "MYQ_SIM_URL names the simulator: run through `cargo xtask test`");
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

beforeEach(async () => {
  await control("POST", "/reset");
});

const credit = () => creditOf(JNOVAK);

/** A page at `path` that records CSP violations and page errors. */
async function open(path, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = await watchProblems(page);
  const response = await page.goto(`${SIM}${path}`);
  // Every page under test is served with the strict policy the pages must work under.
  assert.equal(
    response.headers()["content-security-policy"],
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'",
  );
  await page.locator("myq-topup .myq-topup__balance").waitFor();
  return { page, context, problems };
}

const result = (page) => page.locator("myq-topup .myq-topup__result");

describe("the standalone page", () => {
  test("a top-up by mouse", async () => {
    const { page, context, problems } = await open("/myq-topup/");
    assert.equal(await credit(), 120);
    await page.getByRole("button", { name: "Top up credit" }).click();
    await page.getByRole("button", { name: /^CZK\s?100\.00$/ }).click();
    await page.getByRole("button", { name: /^Top up CZK\s?100\.00$/ }).click();
    await result(page).waitFor();
    assert.match(await result(page).innerText(), /Added CZK\s?100\.00 \(No\. 1\)\. New credit: CZK\s?220\.00\./);
    assert.equal(await credit(), 220);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a top-up by keyboard only", async () => {
    const { page, context, problems } = await open("/myq-topup/");
    await page.keyboard.press("Tab");
    const focused = () => page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.outerHTML ?? "");
    assert.match(await focused(), /Top up credit/);
    await page.keyboard.press("Enter");
    // Focus moves into the amount field.
    await page.waitForFunction(() =>
      document.querySelector("myq-topup").shadowRoot.activeElement?.id === "myq-topup-amount");
    await page.keyboard.type("12,5");
    const message = page.locator("myq-topup #myq-topup-amount-message");
    assert.match(await message.innerText(), /At least CZK\s?20\.00/);
    await page.keyboard.press("Control+A");
    await page.keyboard.type("55");
    assert.equal(await message.innerText(), "");
    await page.keyboard.press("Enter");
    await result(page).waitFor();
    assert.equal(await credit(), 175);
    const live = page.locator("myq-topup [role=status]");
    assert.match(await live.innerText(), /Added CZK\s?55\.00/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a double click credits once", async () => {
    const { page, context } = await open("/myq-topup/");
    await control("POST", "/faults", { operation: "payments.create", kind: "delay", delayMs: 300 });
    await page.getByRole("button", { name: "Top up credit" }).click();
    await page.getByRole("button", { name: /^CZK\s?50\.00$/ }).click();
    await page.getByRole("button", { name: /^Top up CZK\s?50\.00$/ }).dblclick();
    await result(page).waitFor();
    const state = await control("GET", "/state");
    assert.equal(state.payments.length, 1);
    assert.equal(await credit(), 170);
    await context.close();
  });

  test("no accessibility violations (axe-core), light and dark", async () => {
    for (const colorScheme of ["light", "dark"]) {
      // axe is injected past the CSP; the page under test keeps its own.
      const { page, context } = await open("/myq-topup/", { bypassCSP: true, colorScheme });
      await page.getByRole("button", { name: "Top up credit" }).click();
      await page.locator("myq-topup #myq-topup-amount").fill("5");
      const found = await axeViolations(page);
      assert.deepEqual(found, [], `${colorScheme}: ${found.join("; ")}`);
      await context.close();
    }
  });

  test("screenshots: light and dark, English and Czech", async () => {
    // The one line naming what the payment goes through, in the page's words.
    const paidVia = {
      en: "Payment via: External Payment Providers",
      cs: "Platba přes: External Payment Providers",
    };
    for (const colorScheme of ["light", "dark"]) {
      for (const locale of ["en", "cs"]) {
        const { page, context } = await open("/myq-topup/", {
          colorScheme,
          reducedMotion: "reduce",
          viewport: { width: 720, height: 440 },
        });
        await page.evaluate((tag) => document.querySelector("myq-topup").setAttribute("locale", tag), locale);
        await page.locator("myq-topup .myq-topup__provider", { hasText: paidVia[locale] }).waitFor();
        await page.locator("myq-topup button.myq-topup__button").first().click();
        await page.locator("myq-topup .myq-topup__preset").nth(1).click();
        await page.screenshot({ path: new URL(`widget-${locale}-${colorScheme}.png`, SHOTS).pathname });
        await context.close();
      }
    }
  });
});

describe("the element", () => {
  test("reacts to attributes after mount, survives a move, and shares a page", async () => {
    const { page, context, problems } = await open("/myq-topup/");
    const widget = page.locator("myq-topup").first();
    // Changing an attribute restarts the widget for the new user.
    const readyFor = (index) => page.evaluate((i) => new Promise((resolve) => {
      document.querySelectorAll("myq-topup")[i].addEventListener("myq-topup-ready",
        (event) => resolve(event.detail.userId), { once: true });
    }), index);
    let ready = readyFor(0);
    await page.evaluate(() => document.querySelector("myq-topup").setAttribute("username", "psvobodova"));
    assert.equal(await ready, 34174);
    await page.locator("myq-topup .myq-topup__balance-value").filter({ hasText: "45.50" }).waitFor();

    // Moving the element keeps the widget: no new start, no new requests.
    const before = (await control("GET", "/state")).requests["users.find"].count;
    await page.evaluate(() => document.body.prepend(document.querySelector("myq-topup")));
    await page.waitForTimeout(200);
    assert.equal((await control("GET", "/state")).requests["users.find"].count, before);
    assert.match(await widget.locator(".myq-topup__balance-value").innerText(), /45\.50/);

    // A second element on the same page, for another user.
    ready = page.evaluate(() => new Promise((resolve) => {
      const second = document.createElement("myq-topup");
      for (const [name, value] of [["base-url", "/api"], ["token-url", "/demo/token"], ["user-id", "34175"]]) {
        second.setAttribute(name, value);
      }
      second.addEventListener("myq-topup-ready", (event) => resolve(event.detail.userId), { once: true });
      document.body.append(second);
    }));
    assert.equal(await ready, 34175);
    const outcome = await page.evaluate(() => document.querySelectorAll("myq-topup")[1].topUp(7));
    assert.equal(outcome.outcome, "committed");
    const users = (await control("GET", "/state")).users;
    assert.equal(users.find((u) => u.id === 34175).credit, 7);
    assert.equal(users.find((u) => u.id === 34174).credit, 45.5);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe("the start", () => {
  test("the token request starts while the wasm loads, and is the start's only one", async () => {
    const { page, context, problems } = await open("/myq-topup/");
    const [token, instantiated] = await page.evaluate(() => [
      performance.getEntriesByType("resource").find((e) => e.name.endsWith("/demo/token")).startTime,
      performance.getEntriesByName("myq-topup:instantiated")[0].startTime,
    ]);
    assert.ok(token < instantiated, `token request at ${token} ms, wasm ready at ${instantiated} ms`);
    assert.equal((await control("GET", "/state")).requests["demo.token"].count, 1);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe("two bundles", () => {
  /** The widget's wasm files `page` fetched, by path. */
  const wasmFetched = (page) => page.evaluate(() => performance.getEntriesByType("resource")
    .map((entry) => new URL(entry.name).pathname)
    .filter((path) => path.endsWith("_bg.wasm")));

  test("a student's page loads the build without the help desk, which refuses a desk", async () => {
    const { page, context, problems } = await open("/myq-topup/");
    assert.deepEqual(await wasmFetched(page), ["/myq-topup/wasm/myq-topup_bg.wasm"]);
    // A desk on a page that loaded the student's build: a clear configuration error, in the
    // element's language, and no call to MyQ X (the element module still asks for its token).
    const calls = async () => {
      const { requests } = await control("GET", "/state");
      delete requests["demo.token"];
      return requests;
    };
    const callsBefore = await calls();
    const detail = await page.evaluate(() => new Promise((resolve) => {
      const desk = document.createElement("myq-topup");
      for (const [name, value] of [["base-url", "/api"], ["token-url", "/demo/token"], ["desk", ""], ["locale", "cs"]]) {
        desk.setAttribute(name, value);
      }
      desk.addEventListener("myq-topup-error", (event) => resolve(event.detail), { once: true });
      document.body.append(desk);
    }));
    assert.equal(detail.operation, "config");
    assert.match(detail.message, /^desk: this build of the widget has no help desk/);
    const alert = page.locator("myq-topup[desk] [role=alert]");
    await alert.waitFor();
    assert.match(await alert.innerText(), /desk/);
    assert.doesNotMatch(await alert.innerText(), /build|help desk|cannot/i, "worded in Czech");
    assert.deepEqual(await calls(), callsBefore);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a help desk's page loads the desk's build only", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${SIM}/myq-topup/desk.html`);
    // Served by the simulator alone, the page signs no one in and shows no desk; the build its
    // script tag asks for loads all the same.
    await page.waitForFunction(() => performance.getEntriesByName("myq-topup:instantiated").length > 0);
    assert.deepEqual(await wasmFetched(page), ["/myq-topup/desk/wasm/myq-topup_bg.wasm"]);
    await context.close();
  });
});

describe("the embed page", () => {
  test("the approve hook commits after the payment step, and every event is logged", async () => {
    const { page, context, problems } = await open("/myq-topup/embed.html");
    await page.getByRole("button", { name: "Top up credit" }).click();
    await page.getByRole("button", { name: /^CZK\s?200\.00$/ }).click();
    await page.getByRole("button", { name: /^Top up CZK\s?200\.00$/ }).click();
    await page.locator("#payment-step").waitFor();
    assert.equal(await credit(), 120, "nothing credited before the payment step");
    await page.locator("#pay").click();
    await result(page).waitFor();
    assert.equal(await credit(), 320);
    const events = await page.locator("#log li").evaluateAll((items) => items.map((i) => i.dataset.event));
    assert.deepEqual(events, ["ready", "created", "committed"]);
    const log = await page.locator("#log").innerText();
    assert.doesNotMatch(log, /access_token|Bearer/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a declined payment step rolls the payment back with its reason", async () => {
    const { page, context } = await open("/myq-topup/embed.html");
    await page.getByRole("button", { name: "Top up credit" }).click();
    await page.getByRole("button", { name: /^CZK\s?50\.00$/ }).click();
    await page.getByRole("button", { name: /^Top up CZK\s?50\.00$/ }).click();
    await page.locator("#decline").click();
    await result(page).waitFor();
    assert.match(await result(page).innerText(), /canceled by the student/i);
    const state = await control("GET", "/state");
    assert.equal(state.payments[0].state, "canceled");
    assert.equal(state.payments[0].description, "Payment canceled by the student");
    assert.equal(await credit(), 120);
    await context.close();
  });
});
