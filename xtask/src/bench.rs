//! `cargo xtask bench`: what the widget costs a page, measured in one run and printed as one
//! table; the figures go to `target/bench.json` as well.
//!
//! Sizes are exact. Times are medians and spreads of repeated runs on a loopback simulator: they
//! are printed, never asserted. The start is set beside a floor page (plain JavaScript fetching
//! the same answers with the fewest round trips in series), loaded as often and interleaved: the
//! ratio of the two says how much the widget adds, the breakdown where.

use std::process::Command;

use serde_json::{Value, json};

use crate::size::{self, FileSize};
use crate::{Result, root, sim, stage, tools};

/// Page loads for the start time.
const LOADS: u32 = 40;
/// Top-ups on one page for the memory figures; memory is read after 1, this many and twice as many.
const TOPUPS: u32 = 1000;

pub fn bench() -> Result {
    stage("tools");
    let tools = tools::ensure(tools::Needs {
        browser: true,
        typescript: false,
    })?;
    stage("widget: release bundle");
    tools.build_bundle()?;

    stage("sizes");
    let files = size::bundle_sizes(size::STUDENT)?;
    let desk_files = size::bundle_sizes(size::DESK)?;
    let css = size::css_size()?;

    stage(&format!(
        "browser: {LOADS} page loads and as many floor loads, then {} top-ups on one page",
        2 * TOPUPS
    ));
    let log = root().join("target/xtask/sim-bench.log");
    let sim = sim::Sim::start(&sim::Launch {
        port: 0,
        allow_origins: Vec::new(),
        www: Some(tools::bundle_dir()),
        log: Some(log),
        billing_key: None,
        sso_proxy_to: None,
        sso_port: 0,
    })?;
    let output = Command::new("node")
        .args(["e2e/bench.mjs", &LOADS.to_string(), &TOPUPS.to_string()])
        .env("MYQ_SIM_URL", &sim.url)
        .current_dir(root())
        .output()
        .map_err(|err| format!("cannot run node: {err}"))?;
    drop(sim);
    if !output.status.success() {
        return Err(format!(
            "e2e/bench.mjs failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let browser: Value = serde_json::from_slice(&output.stdout)
        .map_err(|err| format!("e2e/bench.mjs printed no JSON: {err}"))?;

    stage("simulator: create+commit load on loopback (release build)");
    let load = run_example("myq-sim", "load", &["3", "8"])?;

    stage(
        "gateway: a top-up through it against straight at the simulator; load on SQLite and PostgreSQL",
    );
    let gateway = run_example("myq-gateway", "load", &["100", "3", "8"])?;

    let report = json!({
        "machine": machine(),
        "bundle": files.iter().map(file_json).collect::<Vec<_>>(),
        "bundleTotal": file_json(&FileSize::total(size::TOTAL_ROW, &files)),
        "deskBundle": desk_files.iter().map(file_json).collect::<Vec<_>>(),
        "deskBundleTotal": file_json(&FileSize::total(size::TOTAL_ROW, &desk_files)),
        "deskGzipBudget": size::DESK_GZIP_BUDGET,
        "css": file_json(&css),
        "gzipBudget": size::GZIP_BUDGET,
        "browser": browser,
        "simulatorLoad": load,
        "gateway": gateway,
    });
    print_table(&report);
    let path = root().join("target/bench.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report).expect("JSON"))
        .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
    println!("\nwritten to {}", path.display());
    Ok(())
}

/// Runs a workspace example in release and reads the one JSON object it prints.
fn run_example(package: &str, example: &str, args: &[&str]) -> Result<Value> {
    crate::printed_json(
        Command::new(crate::cargo_program())
            .args(["run", "--release", "--locked", "--quiet", "-p", package])
            .args(["--example", example, "--"])
            .args(args),
        &format!("the {package} {example} example"),
    )
}

fn file_json(file: &FileSize) -> Value {
    json!({
        "name": file.name,
        "raw": file.raw,
        "gzip": file.gzip,
        "servedGzip": file.served_gzip,
        "brotli": file.brotli,
    })
}

/// CPU model and core count, for the record.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{model}, {cores} cores")
}

fn kb(bytes: &Value) -> String {
    format!("{:.1} KB", bytes.as_f64().unwrap_or(0.0) / 1000.0)
}

fn ms(stats: &Value) -> String {
    format!(
        "{:.1} ms (p10 {:.1}, p90 {:.1}, n {})",
        number(stats, "median"),
        number(stats, "p10"),
        number(stats, "p90"),
        stats["n"]
    )
}

fn print_table(report: &Value) {
    println!(
        "\nmyq-topup bench on {}\n",
        report["machine"].as_str().unwrap_or_default()
    );
    for (title, files, total, css) in [
        (
            "bundle (a student's page)",
            "bundle",
            "bundleTotal",
            Some(&report["css"]),
        ),
        (
            "desk bundle (a help desk's page)",
            "deskBundle",
            "deskBundleTotal",
            None,
        ),
    ] {
        println!(
            "{title:<34} {:>10} {:>10} {:>10} {:>10}",
            "raw", "gzip -9", "served gz", "served br"
        );
        let rows = report[files].as_array().cloned().unwrap_or_default();
        for row in rows.iter().chain(css).chain([&report[total]]) {
            let name = row["name"].as_str().unwrap_or_default();
            println!(
                "{name:<34} {:>10} {:>10} {:>10} {:>10}",
                kb(&row["raw"]),
                kb(&row["gzip"]),
                kb(&row["servedGzip"]),
                kb(&row["brotli"])
            );
        }
        println!();
    }
    let browser = &report["browser"];
    let start = &browser["start"];
    println!(
        "\n{:<34} {}",
        "start: module to ready",
        ms(&start["totalMs"])
    );
    println!(
        "{:<34} {}",
        "  of which the simulator (sum)",
        ms(&start["serverMs"])
    );
    println!(
        "{:<34} {}",
        "  the rest: widget, browser, loopback",
        ms(&start["widgetMs"])
    );
    print_floor_and_breakdown(browser);
    let requests = &browser["requests"];
    println!("\n{:<34} {}", "requests: start", requests["startup"]);
    println!(
        "{:<34} {}",
        "requests: first top-up", requests["firstTopUp"]
    );
    println!(
        "{:<34} {}",
        "requests: second top-up", requests["secondTopUp"]
    );
    println!("\n{:<34} {:>12} {:>12}", "memory", "wasm", "JS heap");
    for sample in browser["memory"].as_array().into_iter().flatten() {
        let label = match sample["topUps"].as_u64() {
            Some(1) => "after 1 top-up".to_owned(),
            Some(n) => format!("after {n} top-ups"),
            None => "after ? top-ups".to_owned(),
        };
        println!(
            "{label:<34} {:>12} {:>12}",
            kb(&sample["wasm"]),
            kb(&sample["jsHeap"])
        );
    }
    println!(
        "\n{:<34} {:.1} ms",
        "one top-up (create + commit)",
        number(browser, "topUpMs")
    );
    let load = &report["simulatorLoad"];
    println!(
        "{:<34} {} pairs/s ({} requests/s, {} clients, {} s)",
        "simulator: create+commit",
        load["pairsPerSecond"],
        load["requestsPerSecond"],
        load["clients"],
        load["seconds"]
    );
    let gateway = &report["gateway"];
    println!(
        "{:<34} {:.1} ms (straight at MyQ {:.1} ms, through the gateway {:.1} ms; medians of {})",
        "gateway: added per top-up",
        number(gateway, "added_ms"),
        number(gateway, "direct_ms"),
        number(gateway, "gateway_ms"),
        gateway["topups"]
    );
    let rate = |key: &str| match gateway[key].as_f64() {
        Some(rate) => format!(
            "{rate:.0} top-ups/s (create, charge, commit; {} students, {} s)",
            gateway["students"], gateway["seconds"]
        ),
        None => "skipped: PostgreSQL is not installed".into(),
    };
    println!(
        "{:<34} {}",
        "gateway on SQLite",
        rate("sqlite_topups_per_s")
    );
    println!(
        "{:<34} {}",
        "gateway on PostgreSQL",
        rate("postgres_topups_per_s")
    );
}

/// The startup requests in the order the widget needs them, as `e2e/bench.mjs` names them.
const START_REQUESTS: [&str; 5] = [
    "token",
    "users.find",
    "providers",
    "users.accounts",
    "payments.list",
];

/// The floor page, the widget over it, and where one start's time goes (medians, in ms from the
/// module mark): what to shorten first.
fn print_floor_and_breakdown(browser: &Value) {
    println!(
        "{:<34} {}",
        "floor: plain fetches, same answers",
        ms(&browser["floor"]["totalMs"])
    );
    println!(
        "{:<34} {:.2}x",
        "start over floor (medians)",
        number(browser, "startOverFloor")
    );
    let paired = &browser["startOverFloorPaired"];
    println!(
        "{:<34} {:.2}x (p10 {:.2}x, p90 {:.2}x)",
        "start over floor (each pair)",
        number(paired, "median"),
        number(paired, "p10"),
        number(paired, "p90")
    );
    println!(
        "{:<34} {}",
        "token requests per start (max)", browser["start"]["tokenRequestsMax"]
    );
    let breakdown = &browser["start"]["breakdown"];
    let at = |value: &Value| match value.as_f64() {
        Some(ms) => format!("{ms:.1}"),
        None => "-".to_owned(),
    };
    println!(
        "\n{:<34} {:>10} {:>10}",
        "start breakdown (ms from module)", "start", "end"
    );
    let wasm = &breakdown["wasm"];
    println!(
        "{:<34} {:>10} {:>10}",
        "  wasm fetch",
        at(&wasm["start"]),
        at(&wasm["end"])
    );
    for (label, mark) in [
        ("  wasm compiled, instantiated", "instantiated"),
        ("  mounted", "mounted"),
    ] {
        println!("{label:<34} {:>10} {:>10}", "", at(&breakdown[mark]));
    }
    for operation in START_REQUESTS {
        let request = &breakdown["requests"][operation];
        println!(
            "{:<34} {:>10} {:>10}",
            format!("  {operation}"),
            at(&request["start"]),
            at(&request["end"])
        );
    }
    // `shown` comes after `ready`: the widget sends the event, then writes the ready view, whose
    // first amount makes the page's first `Intl.NumberFormat` (about 20 ms on this machine).
    for (label, mark) in [("  ready", "ready"), ("  ready view shown", "shown")] {
        println!("{label:<34} {:>10} {:>10}", "", at(&breakdown[mark]));
    }
}

/// `object[key]` as a number; NaN (printed as such) when the report lacks it.
fn number(object: &Value, key: &str) -> f64 {
    object[key].as_f64().unwrap_or(f64::NAN)
}
