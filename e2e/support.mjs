// What the end-to-end tests and the bench share: the simulator `cargo xtask` started (and its
// sign-in proxy stand-in in front of the gateway), its control API, and Debian's Chromium
// started the way this machine allows.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

/** jnovak, the simulator's first student: 120.00 after a reset. */
export const JNOVAK = 34173;

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The simulator's base URL, from `cargo xtask test` or `cargo xtask bench`. */
export const SIM = process.env.MYQ_SIM_URL;

/**
 * The simulator's sign-in proxy stand-in in front of myq-gateway, from `cargo xtask test`: the
 * student portal's origin.
 */
export const PORTAL = process.env.MYQ_PORTAL_URL;

/** Calls the simulator's control API (`/_sim`); answers its JSON, or null for 204. */
export async function control(method, path, body) {
  const response = await fetch(`${SIM}/_sim${path}`, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
  return response.status === 204 ? null : response.json();
}

/** Headless Debian Chromium, without the background traffic this closed network refuses. */
export function launchChromium() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
      "--no-first-run", "--disable-background-networking", "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A user's credit at the simulator now. */
export async function creditOf(userId) {
  const state = await control("GET", "/state");
  return state.users.find((user) => user.id === userId).credit;
}

/**
 * Collects `page`'s errors, console errors and CSP violations (reported through the console)
 * into the array it answers: a test ends by asserting it is empty.
 */
export async function watchProblems(page) {
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return problems;
}

/**
 * axe-core's violations on the page as it is, one line each. axe is injected past the CSP, so
 * the page's context needs `bypassCSP`; the page under test keeps its own policy.
 */
export async function axeViolations(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ["violations"] });
    return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}
