// The browser half of `cargo xtask bench`: start time and its breakdown, a floor page to compare
// it with, requests per top-up, memory. Prints one JSON object.
// Usage: MYQ_SIM_URL=http://127.0.0.1:P node e2e/bench.mjs [loads] [top-ups]
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

/** The median of each number in `loads` (objects of one shape), by the same keys. */
function medians(loads) {
  const [first] = loads;
  if (typeof first === "number") return stats(loads).median;
  if (first === undefined || first === null) return null;
  return Object.fromEntries(
    Object.keys(first).map((key) => [key, medians(loads.map((load) => load[key]).filter((v) => v != null))]),
  );
}

const browser = await launchChromium();

/**
 * Opens `url` and waits until the page logs `message`. Waiting by the console, not by
 * `waitForFunction`, keeps Playwright's own script out of the page while it starts: injected on
 * the first evaluation, it runs on the page's one thread for 10 to 15 ms on this machine, which
 * landed inside the start being measured.
 */
async function loadAndWait(page, url, message) {
  const logged = page.waitForEvent("console", { predicate: (entry) => entry.text() === message });
  await page.goto(url);
  await logged;
}

async function loadPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    // `shown`: the ready view's balance in the page, which the widget writes after the event.
    const balanceShown = (root) => root.querySelector(".myq-topup__balance-value")?.textContent;
    document.addEventListener("myq-topup-ready", (event) => {
      performance.mark("myq-topup:ready");
      const root = event.target.shadowRoot;
      const watch = new MutationObserver(() => {
        if (!balanceShown(root)) return;
        watch.disconnect();
        performance.mark("myq-topup:shown");
        console.debug("myq-topup:shown");
      });
      watch.observe(root, { childList: true, subtree: true, characterData: true });
    }, { once: true });
  });
  await loadAndWait(page, `${SIM}/myq-topup/`, "myq-topup:shown");
  return { context, page };
}

/**
 * One widget start, in ms from the module mark: the wasm's fetch (resource timing; its compile
 * ends by `instantiated`, as the glue compiles while streaming), the marks, and each startup
 * request's start and end by operation.
 */
function breakdown() {
  const since = performance.getEntriesByName("myq-topup:module")[0].startTime;
  const at = (name) => {
    const mark = performance.getEntriesByName(name)[0];
    return mark ? mark.startTime - since : null;
  };
  const span = (entry) => ({ start: entry.startTime - since, end: entry.responseEnd - since });
  const operation = (path) =>
    path === "/demo/token" ? "token"
      : path === "/api/v3/users/find" ? "users.find"
      : path === "/api/v3/rechargeProviders" ? "providers"
      : /^\/api\/v3\/users\/\d+\/accounts$/.test(path) ? "users.accounts"
      : /^\/api\/v3\/rechargeProviders\/[^/]+\/payments$/.test(path) ? "payments.list"
      : null;
  const requests = {};
  let wasm = null;
  for (const entry of performance.getEntriesByType("resource")) {
    const path = new URL(entry.name).pathname;
    if (path.endsWith("/myq-topup_bg.wasm")) wasm = span(entry);
    const op = operation(path);
    // The first of each: what the start waited for.
    if (op && !requests[op]) requests[op] = span(entry);
  }
  return {
    wasm,
    instantiated: at("myq-topup:instantiated"),
    mounted: at("myq-topup:mounted"),
    requests,
    ready: at("myq-topup:ready"),
    shown: at("myq-topup:shown"),
  };
}

// The floor: plain JavaScript fetching what the widget shows with the fewest round trips in
// series (token; user; then providers, balance and payments at once), writing it into the page.
// Routed, not served: it must not be part of the bundle; on the simulator's origin, so its
// fetches are same-origin as the widget's; and without the simulator's CSP, so inline is fine.
const FLOOR_URL = `${SIM}/myq-topup/bench-floor.html`;
const FLOOR_PAGE = `<!doctype html>
<meta charset="utf-8"><title>bench floor</title>
<p>Balance <span id="balance"></span>; providers <span id="providers"></span>;
pending <span id="pending"></span></p>
<script type="module">
performance.mark("floor:start");
const answer = async (response) => {
  if (!response.ok) throw new Error(response.url + ": " + response.status);
  return response.json();
};
const token = await fetch("/demo/token", { method: "POST", credentials: "same-origin" }).then(answer);
const headers = { Authorization: "Bearer " + token.access_token };
const get = (path) => fetch("/api/v3" + path, { headers }).then(answer);
const { users } = await get("/users/find?username=jnovak");
const user = users.find((u) => u.username === "jnovak") ?? users[0];
const [providers, accounts, payments] = await Promise.all([
  get("/rechargeProviders"),
  get("/users/" + user.id + "/accounts"),
  get("/rechargeProviders/external/payments?userId=" + user.id),
]);
const show = (id, text) => (document.getElementById(id).textContent = text);
show("balance", accounts.accounts.find((a) => a.reference === "internalaccount").limits.price);
show("providers", providers.providers.map((p) => p.name).join(", "));
show("pending", payments.payments.filter((p) => p.state === "created").length);
performance.mark("floor:done");
console.debug("floor:done");
</script>
`;

async function loadFloor() {
  const context = await browser.newContext();
  await context.route(FLOOR_URL, (route) =>
    route.fulfill({ contentType: "text/html; charset=utf-8", body: FLOOR_PAGE }));
  const page = await context.newPage();
  await loadAndWait(page, FLOOR_URL, "floor:done");
  const ms = await page.evaluate(() =>
    performance.getEntriesByName("floor:done")[0].startTime -
    performance.getEntriesByName("floor:start")[0].startTime);
  await context.close();
  return ms;
}

// Start: module start to myq-topup-ready, with the simulator's own time for those requests and
// the token requests it had seen by then; a floor load after each, so both see the same noise.
const total = [];
const server = [];
const tokenRequests = [];
const loads = [];
const floor = [];
for (let i = 0; i < LOADS; i++) {
  await control("POST", "/reset");
  const { context, page } = await loadPage();
  const load = await page.evaluate(breakdown);
  loads.push(load);
  total.push(load.ready);
  const state = await control("GET", "/state");
  server.push(STARTUP.reduce((sum, op) => sum + (state.requests[op]?.busyMs ?? 0), 0));
  tokenRequests.push(state.requests["demo.token"]?.count ?? 0);
  await context.close();
  await control("POST", "/reset");
  floor.push(await loadFloor());
}
const startStats = stats(total);
const floorStats = stats(floor);

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
  start: {
    totalMs: startStats,
    serverMs: stats(server),
    widgetMs: stats(total.map((t, i) => t - server[i])),
    // More than one means a token was fetched twice for one start.
    tokenRequestsMax: Math.max(...tokenRequests),
    breakdown: medians(loads),
  },
  floor: { totalMs: floorStats },
  // The widget's start over the floor's, by medians: 1 would be as fast as a page can be.
  startOverFloor: startStats.median / floorStats.median,
  // Each load over the floor load right after it: steadier when the machine's load drifts
  // during the run, as both loads of a pair see the same moment.
  startOverFloorPaired: stats(total.map((ms, i) => ms / floor[i])),
  requests: { startup, firstTopUp: afterFirst - startup, secondTopUp: afterSecond - afterFirst },
  memory: memorySamples,
  topUpMs,
  completedPayments: state.payments.filter((p) => p.state === "completed").length,
}));
