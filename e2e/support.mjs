// What the end-to-end tests and the bench share: the simulator `cargo xtask` started (and its
// sign-in proxy stand-in in front of the gateway), its control API, and Debian's Chromium
// started the way this machine allows.
import { chromium } from "playwright-core";

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
