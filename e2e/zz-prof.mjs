// temporary: CPU profile of one widget start
import { launchChromium, SIM, control } from "./support.mjs";
const browser = await launchChromium();
const runs = Number(process.argv[2] ?? 3);
for (let r = 0; r < runs; r++) {
  await control("POST", "/reset");
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    document.addEventListener("myq-topup-ready", (event) => {
      performance.mark("myq-topup:ready");
      const root = event.target.shadowRoot;
      const watch = new MutationObserver(() => {
        if (!root.querySelector(".myq-topup__balance-value")?.textContent) return;
        watch.disconnect();
        performance.mark("myq-topup:shown");
        console.debug("myq-topup:shown");
      });
      watch.observe(root, { childList: true, subtree: true, characterData: true });
    }, { once: true });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
  await cdp.send("Profiler.start");
  const logged = page.waitForEvent("console", { predicate: (e) => e.text() === "myq-topup:shown" });
  await page.goto(`${SIM}/myq-topup/`);
  await logged;
  const { profile } = await cdp.send("Profiler.stop");
  const marks = await page.evaluate(() => {
    const since = performance.getEntriesByName("myq-topup:module")[0].startTime;
    const out = {};
    for (const m of performance.getEntriesByType("mark")) out[m.name] = +(m.startTime - since).toFixed(1);
    for (const e of performance.getEntriesByType("resource")) out[new URL(e.name).pathname] = [+(e.startTime - since).toFixed(1), +(e.responseEnd - since).toFixed(1)];
    return out;
  });
  const fs = await import("node:fs");
  fs.writeFileSync(`/tmp/prof/p${r}.json`, JSON.stringify({ profile, marks }));
  await context.close();
}
await browser.close();
