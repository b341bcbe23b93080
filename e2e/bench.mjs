// The browser half of `cargo xtask bench`: start time, requests per top-up, memory. Prints one
// JSON object. Usage: MYQ_SIM_URL=http://127.0.0.1:P node e2e/bench.mjs [loads] [top-ups]
import { control, launchChromium, SIM } from "./support.mjs";

const LOADS = Number(process.argv[2] ?? 30);
const TOPUPS = Number(process.argv[3] ?? 1000);
const STARTUP = ["demo.token", "users.find", "providers", "users.accounts", "payments.list"];

const requestCount = (state) =>
  Object.values(state.requests).reduce((sum, op) => sum + op.count, 0);

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p10: at(0.1), p90: at(0.9), min: sorted[0], max: sorted.at(-1), n: sorted.length };
}

const browser = await launchChromium();

async function loadPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    document.addEventListener("myq-topup-ready", () => performance.mark("myq-topup:ready"), { once: true });
  });
  await page.goto(`${SIM}/myq-topup/`);
  await page.waitForFunction(() => performance.getEntriesByName("myq-topup:ready").length > 0);
  return { context, page };
}

// Start: module start to myq-topup-ready, with the simulator's own time for those requests.
const total = [];
const server = [];
for (let i = 0; i < LOADS; i++) {
  await control("POST", "/reset");
  const { context, page } = await loadPage();
  total.push(await page.evaluate(() =>
    performance.getEntriesByName("myq-topup:ready")[0].startTime -
    performance.getEntriesByName("myq-topup:module")[0].startTime));
  const state = await control("GET", "/state");
  server.push(STARTUP.reduce((sum, op) => sum + (state.requests[op]?.busyMs ?? 0), 0));
  await context.close();
}

// Requests and memory on one page.
await control("POST", "/reset");
const { context, page } = await loadPage();
const cdp = await context.newCDPSession(page);
const topUp = (amount) => page.evaluate((a) => document.querySelector("myq-topup").topUp(a), amount);
const memory = async () => {
  await cdp.send("HeapProfiler.collectGarbage");
  const heap = await cdp.send("Runtime.getHeapUsage");
  const wasm = await page.evaluate(async () => (await import("/myq-topup/myq-topup.js")).wasmMemoryBytes());
  return { wasm, jsHeap: heap.usedSize };
};
const startup = requestCount(await control("GET", "/state"));
await topUp(20);
const afterFirst = requestCount(await control("GET", "/state"));
// Memory after 1 top-up, after TOPUPS, and after twice as many: a leak shows as growth between
// the last two, where caches that fill once do not.
const memorySamples = [{ topUps: 1, ...(await memory()) }];
await topUp(20);
const afterSecond = requestCount(await control("GET", "/state"));
const started = performance.now();
for (let i = 2; i < TOPUPS; i++) await topUp(20);
const topUpMs = (performance.now() - started) / Math.max(1, TOPUPS - 2);
memorySamples.push({ topUps: TOPUPS, ...(await memory()) });
for (let i = 0; i < TOPUPS; i++) await topUp(20);
memorySamples.push({ topUps: 2 * TOPUPS, ...(await memory()) });
const state = await control("GET", "/state");
await browser.close();

console.log(JSON.stringify({
  start: { totalMs: stats(total), serverMs: stats(server), widgetMs: stats(total.map((t, i) => t - server[i])) },
  requests: { startup, firstTopUp: afterFirst - startup, secondTopUp: afterSecond - afterFirst },
  memory: memorySamples,
  topUpMs,
  completedPayments: state.payments.filter((p) => p.state === "completed").length,
}));
