//! Starting and stopping `myq-sim` for the demo and the browser tests.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::{Result, cargo, cargo_target_dir, run};

pub struct Launch {
    /// 0 picks a free port.
    pub port: u16,
    pub allow_origins: Vec<String>,
    pub www: Option<PathBuf>,
    /// Where the request log goes; `None`: this terminal.
    pub log: Option<PathBuf>,
    /// Serve the billing endpoint, taking requests signed with this key.
    pub billing_key: Option<String>,
    /// Run the sign-in proxy stand-in in front of the gateway at this URL, on `sso_port` (0
    /// picks a free one).
    pub sso_proxy_to: Option<String>,
    pub sso_port: u16,
}

/// The billing key the demo and the tests share between the simulator and the gateway.
pub const DEMO_BILLING_KEY: &str = "myq-topup-demo-billing-key";

/// A running simulator, killed when dropped: no test run leaves one behind.
pub struct Sim {
    child: Child,
    pub url: String,
    /// The sign-in proxy stand-in's URL, when it runs.
    pub sso_url: Option<String>,
}

impl Sim {
    pub fn start(launch: &Launch) -> Result<Sim> {
        run(cargo().args(["build", "--locked", "--quiet", "-p", "myq-sim"]))?;
        let binary = cargo_target_dir().join("debug/myq-sim");
        let mut command = Command::new(&binary);
        command
            .args([
                "--port",
                &launch.port.to_string(),
                "--control",
                "--demo-token",
            ])
            .stdout(Stdio::piped());
        for origin in &launch.allow_origins {
            command.args(["--allow-origin", origin]);
        }
        if let Some(www) = &launch.www {
            command.arg("--www").arg(www);
        }
        if let Some(key) = &launch.billing_key {
            command.args(["--billing-key", key]);
        }
        if let Some(gateway) = &launch.sso_proxy_to {
            command.args(["--sso-proxy-to", gateway]);
            command.args(["--sso-port", &launch.sso_port.to_string()]);
        }
        if let Some(log) = &launch.log {
            std::fs::create_dir_all(log.parent().expect("a log file has a folder"))
                .map_err(|err| format!("cannot create {}: {err}", log.display()))?;
            let file = std::fs::File::create(log)
                .map_err(|err| format!("cannot create {}: {err}", log.display()))?;
            command.stderr(file);
        }
        let mut child = command
            .spawn()
            .map_err(|err| format!("cannot start {}: {err}", binary.display()))?;
        // The first line names the address: "myq-sim listening on http://127.0.0.1:PORT"; with
        // the sign-in proxy stand-in, the second line names its address the same way.
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let url = match listening_url(&mut stdout) {
            Ok(url) => url,
            Err(said) => {
                let _ = child.kill();
                return Err(format!("myq-sim did not start (it said '{said}')"));
            }
        };
        let sso_url = match launch.sso_proxy_to {
            None => None,
            Some(_) => match listening_url(&mut stdout) {
                Ok(url) => Some(url),
                Err(said) => {
                    let _ = child.kill();
                    return Err(format!(
                        "the sign-in proxy stand-in did not start (myq-sim said '{said}')"
                    ));
                }
            },
        };
        Ok(Sim {
            child,
            url,
            sso_url,
        })
    }

    /// Waits until the simulator ends (Ctrl-C reaches it too: same process group).
    pub fn wait(mut self) -> Result {
        let status = self.child.wait().map_err(|err| err.to_string())?;
        println!("simulator stopped ({status})");
        Ok(())
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The URL at the end of a "… listening on http://…" line; `Err` holds the line otherwise.
fn listening_url(stdout: &mut impl BufRead) -> std::result::Result<String, String> {
    let mut line = String::new();
    let _ = stdout.read_line(&mut line);
    let url = line.trim().rsplit(' ').next().unwrap_or_default();
    if url.starts_with("http://") {
        Ok(url.to_owned())
    } else {
        Err(line.trim().to_owned())
    }
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|err| err.to_string())?;
    Ok(listener.local_addr().map_err(|err| err.to_string())?.port())
}

/// The last `lines` lines of a log, to show why a stage failed.
pub fn print_tail(log: &Path, lines: usize) {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    println!("--- last lines of {} ---", log.display());
    for line in &all[all.len().saturating_sub(lines)..] {
        println!("{line}");
    }
}
