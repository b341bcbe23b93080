//! The tools the tasks need, installed when missing and skipped when present at the right
//! version: the wasm target, trunk, wasm-bindgen-cli (exactly the wasm-bindgen in Cargo.lock),
//! wasm-opt (binaryen from npm, into target/), terser (from npm, into target/) for the shipped
//! JavaScript, TypeScript (from npm, into target/) to type-check the element's declarations, and
//! Chromium with its driver for the browser tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, boundary, cargo, root, run};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// trunk 0.22 needs a newer rustc than this machine's.
const TRUNK_VERSION: &str = "0.21.14";
/// Debian's binaryen (108) emits a wasm that fails at load; npm's 132 works. Trunk.toml's
/// `[tools] wasm_opt` names the same version (`version_132`), so trunk never downloads one.
const BINARYEN_VERSION: &str = "132.0.0";
/// Minifies the shipped JavaScript; trunk's own minifier fails on wasm-bindgen's glue.
const TERSER_VERSION: &str = "5.51.4";
/// Type-checks `www/myq-topup.d.ts` as a host would use it; 5.x runs on this machine's Node 20.
const TYPESCRIPT_VERSION: &str = "5.9.3";
/// The usage file and its strict tsconfig that `tsc` checks the declarations through.
const DECLARATION_CHECK: &str = "e2e/types/tsconfig.json";
/// The JavaScript a page downloads, minified in place after `trunk build`.
const SHIPPED_JS: [&str; 3] = [
    "wasm/myq-topup.js",
    "desk/wasm/myq-topup.js",
    "myq-topup.js",
];

pub struct Needs {
    pub browser: bool,
    /// tsc, for [`Tools::check_declarations`].
    pub typescript: bool,
}

/// The tools, ready; [`Tools::command`] puts them on a command's PATH.
pub struct Tools {
    path: String,
}

/// Where the release bundle goes.
pub fn bundle_dir() -> PathBuf {
    root().join("target/www")
}

/// Where an npm-installed tool lives: `target/tools/<package>`.
fn npm_tool_dir(package: &str) -> PathBuf {
    root().join("target/tools").join(package)
}

pub fn ensure(needs: Needs) -> Result<Tools> {
    ensure_wasm_target()?;
    ensure_cargo_tool(
        "trunk",
        TRUNK_VERSION,
        &["install", "--locked", &format!("trunk@{TRUNK_VERSION}")],
    )?;
    let bindgen = locked_version("wasm-bindgen")?;
    // Without --locked: its lockfile names a crate version the registry here lacks.
    ensure_cargo_tool(
        "wasm-bindgen",
        &bindgen,
        &["install", "wasm-bindgen-cli", "--version", &bindgen],
    )?;
    ensure_npm_tool("binaryen", BINARYEN_VERSION)?;
    ensure_npm_tool("terser", TERSER_VERSION)?;
    if needs.typescript {
        ensure_npm_tool("typescript", TYPESCRIPT_VERSION)?;
    }
    if needs.browser {
        ensure_browser()?;
        ensure_e2e_packages()?;
    }
    let bin = npm_tool_dir("binaryen").join("node_modules/.bin");
    let path = match std::env::var("PATH") {
        Ok(path) => format!("{}:{path}", bin.display()),
        Err(_) => bin.display().to_string(),
    };
    Ok(Tools { path })
}

impl Tools {
    /// `command` with the tools first on its PATH.
    pub fn command(&self, command: &Command) -> Command {
        let mut with_path = Command::new(command.get_program());
        with_path.args(command.get_args()).env("PATH", &self.path);
        with_path
    }

    /// `tsc` on a usage file of `www/myq-topup.d.ts` (strict, no output): fails when a
    /// declaration a host relies on is missing or wrong, or an `@ts-expect-error` line passes.
    pub fn check_declarations(&self) -> Result {
        run(
            Command::new(npm_tool_dir("typescript").join("node_modules/.bin/tsc"))
                .arg("--project")
                .arg(root().join(DECLARATION_CHECK)),
        )
    }

    /// The two release bundles into target/www (`trunk serve`'s debug build goes to dist/):
    /// the student's (`trunk build --release --no-default-features`: no help desk) with the
    /// pages, and the desk's (the default features) whose wasm and glue go to `desk/wasm/`;
    /// then the wasm/JavaScript boundary tightened (`boundary.rs`), the shipped JavaScript
    /// minified, and everything a page downloads precompressed (`precompress.rs`).
    pub fn build_bundle(&self) -> Result {
        run(cargo().args(["fetch", "--locked"]))?;
        let trunk_build = |dist: &Path| {
            let mut command = self.command(&Command::new("trunk"));
            command.args(["build", "--release", "--dist"]).arg(dist);
            command
        };
        // The desk's first: trunk empties its --dist, and the student's build fills target/www.
        let desk_dist = root().join("target/www-desk");
        run(&mut trunk_build(&desk_dist))?;
        run(trunk_build(&bundle_dir()).arg("--no-default-features"))?;
        let desk_wasm = bundle_dir().join(crate::size::DESK);
        std::fs::create_dir_all(&desk_wasm)
            .map_err(|err| format!("cannot create {}: {err}", desk_wasm.display()))?;
        for file in ["myq-topup.js", "myq-topup_bg.wasm"] {
            let from = desk_dist.join("wasm").join(file);
            std::fs::copy(&from, desk_wasm.join(file))
                .map_err(|err| format!("cannot copy {}: {err}", from.display()))?;
        }
        for build in [crate::size::STUDENT, crate::size::DESK] {
            let wasm_opt = self.command(&Command::new("wasm-opt"));
            let done = boundary::tighten(&bundle_dir().join(build), wasm_opt)?;
            println!(
                "{build}: cut the classes nothing creates {:?} and {} exports only they read; \
                 {} imports and {} exports given short names",
                done.classes_cut, done.exports_removed, done.imports_renamed, done.exports_renamed
            );
        }
        let terser = npm_tool_dir("terser").join("node_modules/.bin/terser");
        for file in SHIPPED_JS {
            let path = bundle_dir().join(file);
            run(Command::new(&terser)
                .arg(&path)
                .args(["--module", "--compress", "--mangle", "--output"])
                .arg(&path))?;
        }
        let compressed = crate::precompress::precompress(&bundle_dir())?;
        println!("{compressed} files precompressed (.gz by zopfli, .br)");
        Ok(())
    }
}

/// The first line a tool prints for `--version`, if it runs.
fn version_line(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output.status.success().then(|| {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    })
}

fn ensure_wasm_target() -> Result {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l == WASM_TARGET)
        });
    if installed {
        println!("{WASM_TARGET}: present");
        return Ok(());
    }
    println!("{WASM_TARGET}: installing");
    run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// Installs a cargo-built tool unless `program --version` already names `version`.
fn ensure_cargo_tool(program: &str, version: &str, install: &[&str]) -> Result {
    let found = version_line(program, &["--version"]);
    if found
        .as_deref()
        .is_some_and(|line| line.split_whitespace().any(|w| w == version))
    {
        println!("{program} {version}: present");
        return Ok(());
    }
    println!("{program} {version}: installing (found {found:?}); this takes minutes, once");
    run(cargo().args(install))
}

/// The version of `package` that Cargo.lock resolved.
fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|err| format!("cannot read Cargo.lock: {err}"))?;
    let entry = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&entry)
        .ok_or_else(|| format!("Cargo.lock has no {package}"))?
        + entry.len();
    let end = lock[start..].find('"').ok_or("Cargo.lock is malformed")? + start;
    Ok(lock[start..end].to_owned())
}

/// An npm package's binaries, installed into `target/tools/<package>` unless that version is
/// there (never globally: a global binaryen would shadow Debian's wasm-opt).
fn ensure_npm_tool(package: &str, version: &str) -> Result {
    let dir = npm_tool_dir(package);
    if npm_installed(&dir, package).is_some_and(|found| found == version) {
        println!("{package} {version}: present");
        return Ok(());
    }
    println!("{package} {version}: installing from npm into target/tools");
    std::fs::create_dir_all(&dir).map_err(|err| err.to_string())?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg(format!("{package}@{version}")))
}

fn ensure_browser() -> Result {
    if PathBuf::from(CHROMIUM).exists() && PathBuf::from(CHROMEDRIVER).exists() {
        println!("chromium and chromedriver: present");
        return Ok(());
    }
    let root_user = version_line("id", &["-u"]).is_some_and(|uid| uid.trim() == "0");
    if !root_user {
        return Err(format!(
            "the browser tests need {CHROMIUM} and {CHROMEDRIVER}: \
             install them with `sudo apt-get install -y chromium chromium-driver`"
        ));
    }
    println!("chromium and chromedriver: installing with apt-get");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "chromium", "chromium-driver"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// playwright-core and axe-core for the end-to-end tests, as `e2e/package.json` pins them.
/// Installed without a lockfile: the pins are exact and no lockfile names a registry.
fn ensure_e2e_packages() -> Result {
    let e2e = root().join("e2e");
    let manifest = read_json(&e2e.join("package.json")).ok_or("cannot read e2e/package.json")?;
    let pinned = manifest["dependencies"]
        .as_object()
        .ok_or("e2e/package.json has no dependencies")?;
    let installed = pinned
        .iter()
        .all(|(package, version)| npm_installed(&e2e, package).is_some_and(|v| v == *version));
    if installed {
        println!("e2e packages: present");
        return Ok(());
    }
    println!("e2e packages: installing playwright-core and axe-core into e2e/node_modules");
    run(Command::new("npm")
        .args([
            "install",
            "--no-package-lock",
            "--no-audit",
            "--no-fund",
            "--prefix",
        ])
        .arg(&e2e))
}

/// The version of `package` installed under `dir/node_modules`, if any.
fn npm_installed(dir: &Path, package: &str) -> Option<String> {
    let manifest = read_json(&dir.join("node_modules").join(package).join("package.json"))?;
    manifest["version"].as_str().map(str::to_owned)
}

fn read_json(path: &Path) -> Option<serde_json::Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}
