//! Development tasks: `cargo xtask demo`, `cargo xtask test`.
//!
//! Each installs what is missing first (see `tools.rs`), so a fresh machine needs only Rust.

mod bench;
mod boundary;
mod gateway;
mod precompress;
mod sim;
mod size;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "\
usage: cargo xtask <task>
  demo [--port P]  build the widget and serve the demo page with the simulator (default port 8080),
                   and the student portal through myq-gateway behind a demo sign-in (port P+1)
  test             native tests, simulator HTTP tests, release bundle, browser tests, end-to-end
  bench            bundle sizes, start time, requests per top-up, memory: one table
  size             build the release bundle and hold it to the size budget (a quick check)
";

/// A failed step, with what to do about it.
type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(&args[1..]),
        Some("test") => test(),
        Some("bench") => bench::bench(),
        Some("size") => size(),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of `xtask/`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// Where cargo puts what it builds: `CARGO_TARGET_DIR` when set (a second worktree building
/// beside the first), else `target/`.
fn cargo_target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// Prints a progress line naming the stage.
pub(crate) fn stage(name: &str) {
    println!("\n==> {name}");
}

/// Runs a command to completion in the workspace root; an error names it.
fn run(command: &mut Command) -> Result {
    let description = format!("{command:?}");
    let status = command
        .current_dir(root())
        .status()
        .map_err(|err| format!("cannot run {description}: {err}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{description} failed ({status})"))
    }
}

/// Runs `command` from the workspace root and reads what it printed as JSON; `what` names the
/// command in errors.
fn printed_json(command: &mut Command, what: &str) -> Result<serde_json::Value> {
    let output = command
        .current_dir(root())
        .output()
        .map_err(|err| format!("cannot run {what}: {err}"))?;
    if !output.status.success() {
        return Err(format!(
            "{what} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|err| format!("{what} printed no JSON: {err}"))
}

fn cargo() -> Command {
    Command::new(cargo_program())
}

/// The cargo that runs xtask, so that every task uses the same toolchain.
pub(crate) fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn demo(args: &[String]) -> Result {
    let port: u16 = match args {
        [] => 8080,
        [flag, port] if flag == "--port" => port
            .parse()
            .map_err(|_| format!("--port takes a number, not '{port}'"))?,
        _ => return Err(USAGE.to_owned()),
    };
    stage("tools");
    let tools = tools::ensure(tools::Needs {
        browser: false,
        typescript: false,
    })?;
    stage("widget: release bundle");
    tools.build_bundle()?;
    let portal_port = port
        .checked_add(1)
        .ok_or("--port leaves no port after it for the portal")?;
    stage("simulator, with the sign-in proxy stand-in");
    let gateway_port = sim::free_port()?;
    let sim = sim::Sim::start(&sim::Launch {
        port,
        allow_origins: Vec::new(),
        www: Some(tools::bundle_dir()),
        log: None,
        billing_key: Some(sim::DEMO_BILLING_KEY.into()),
        sso_proxy_to: Some(format!("http://127.0.0.1:{gateway_port}")),
        sso_port: portal_port,
    })?;
    let portal = sim.sso_url.clone().expect("the stand-in was asked for");
    stage("gateway");
    let gateway_dir = root().join("target/xtask/gateway-demo");
    let _gateway = gateway::Gateway::start(&gateway::Launch {
        port: gateway_port,
        sim_url: &sim.url,
        public_origin: &portal,
        dir: gateway_dir.clone(),
        log: None,
    })?;
    println!("\nThe demo runs at {}/  (Ctrl-C stops it)", sim.url);
    println!(
        "Student portal, through myq-gateway (demo sign-in as jnovak first): \
         {portal}/myq-topup/portal.html"
    );
    println!(
        "Help desk, through myq-gateway (demo sign-in as helpdesk with groups print-desk \
         first): {portal}/myq-topup/desk.html"
    );
    println!("Demo sign-in (stands in for single sign-on): {portal}/demo/sign-in");
    println!(
        "MyQ X API: {}/api   control API: {}/_sim/state",
        sim.url, sim.url
    );
    println!(
        "Gateway at http://127.0.0.1:{gateway_port} (configuration, ledger and audit log in {})",
        gateway_dir.display()
    );
    sim.wait()
}

fn size() -> Result {
    stage("tools");
    let tools = tools::ensure(tools::Needs {
        browser: false,
        typescript: false,
    })?;
    stage("widget: release bundle and its size budget");
    tools.build_bundle()?;
    size::check_budget()
}

fn test() -> Result {
    stage("tools");
    let tools = tools::ensure(tools::Needs {
        browser: true,
        typescript: true,
    })?;

    stage("native unit tests and simulator HTTP tests");
    run(cargo().args(["test", "--workspace", "--locked"]))?;

    stage("TypeScript declarations: tsc --strict on a usage file");
    tools.check_declarations()?;

    stage("widget: release bundle and its size budget");
    tools.build_bundle()?;
    size::check_budget()?;

    stage("browser tests: headless Chromium against the simulator");
    let runner_port = sim::free_port()?;
    let runner_origin = format!("http://127.0.0.1:{runner_port}");
    // The end-to-end stage's gateway, behind the simulator's sign-in proxy stand-in.
    let gateway_port = sim::free_port()?;
    let log = root().join("target/xtask/sim-browser-tests.log");
    let sim = sim::Sim::start(&sim::Launch {
        port: 0,
        allow_origins: vec![runner_origin],
        www: Some(tools::bundle_dir()),
        log: Some(log.clone()),
        billing_key: Some(sim::DEMO_BILLING_KEY.into()),
        sso_proxy_to: Some(format!("http://127.0.0.1:{gateway_port}")),
        sso_port: 0,
    })?;
    println!("simulator at {} (log: {})", sim.url, log.display());
    let result = run(tools
        .command(&cargo())
        .args([
            "test",
            "--locked",
            "-p",
            "myq-topup",
            "--target",
            tools::WASM_TARGET,
        ])
        .env("MYQ_SIM_URL", &sim.url)
        .env(
            "WASM_BINDGEN_TEST_ADDRESS",
            format!("127.0.0.1:{runner_port}"),
        )
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .env("CHROMEDRIVER", tools::CHROMEDRIVER));
    let gateway_log = root().join("target/xtask/gateway-e2e.log");
    let result = result.and_then(|()| {
        stage(
            "end-to-end: the built pages in Chromium (playwright-core), keyboard, mouse, axe-core; \
             the student portal through myq-gateway",
        );
        let portal = sim.sso_url.clone().expect("the stand-in was asked for");
        let gateway = gateway::Gateway::start(&gateway::Launch {
            port: gateway_port,
            sim_url: &sim.url,
            public_origin: &portal,
            dir: root().join("target/xtask/gateway-e2e"),
            log: Some(gateway_log.clone()),
        })?;
        println!(
            "gateway at http://127.0.0.1:{gateway_port} behind {portal} (log: {})",
            gateway_log.display()
        );
        // One file at a time: the files share the simulator, and each resets it (the desk's
        // counts what it changed instead).
        let result = run(Command::new("node")
            .args([
                "--test",
                "--test-concurrency=1",
                "--test-reporter=spec",
                "e2e/",
            ])
            .env("MYQ_SIM_URL", &sim.url)
            .env("MYQ_PORTAL_URL", &portal));
        drop(gateway);
        result
    });
    drop(sim);
    if result.is_err() {
        sim::print_tail(&log, 40);
        if gateway_log.exists() {
            sim::print_tail(&gateway_log, 40);
        }
    }
    result?;
    println!("\nAll test stages passed.");
    Ok(())
}
