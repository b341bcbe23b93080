//! Starting and stopping `myq-gateway` in front of the simulator, for the demo and the
//! end-to-end tests: browser → the simulator's sign-in proxy stand-in → gateway → the simulator's
//! MyQ X API and billing endpoint, as in production.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::sim::DEMO_BILLING_KEY;
use crate::{Result, cargo, cargo_target_dir, run, tools};

/// The simulator's built-in API client (sim/src/data.rs).
const SIM_CLIENT_ID: &str = "demo-client";
const SIM_CLIENT_SECRET: &str = "demo-secret";
/// How long the gateway may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Launch<'a> {
    /// The loopback port to listen on.
    pub port: u16,
    /// The simulator: its `/api` is MyQ X, its `/billing` the billing endpoint.
    pub sim_url: &'a str,
    /// The sign-in proxy stand-in's origin: the only origin the gateway takes calls from.
    pub public_origin: &'a str,
    /// Where its configuration, secrets, ledger and audit log go; emptied first, since the
    /// simulator starts afresh each time too.
    pub dir: PathBuf,
    /// Where its log goes; `None`: this terminal.
    pub log: Option<PathBuf>,
}

/// A running gateway, killed when dropped.
pub struct Gateway {
    child: Child,
}

impl Gateway {
    pub fn start(launch: &Launch) -> Result<Gateway> {
        run(cargo().args(["build", "--locked", "--quiet", "-p", "myq-gateway"]))?;
        let config = write_config(launch)?;
        let binary = cargo_target_dir().join("debug/myq-gateway");
        let mut command = Command::new(&binary);
        command.arg("--config").arg(&config);
        if std::env::var_os("RUST_LOG").is_none() {
            command.env("RUST_LOG", "myq_gateway=info");
        }
        if let Some(log) = &launch.log {
            let file = std::fs::File::create(log)
                .map_err(|err| format!("cannot create {}: {err}", log.display()))?;
            let copy = file.try_clone().map_err(|err| err.to_string())?;
            command.stdout(file).stderr(copy);
        } else {
            command.stdout(Stdio::inherit());
        }
        let child = command
            .spawn()
            .map_err(|err| format!("cannot start {}: {err}", binary.display()))?;
        let mut gateway = Gateway { child };
        gateway.wait_listening(launch.port)?;
        Ok(gateway)
    }

    /// Until the port takes connections; an error if the gateway ends first or takes too long.
    fn wait_listening(&mut self, port: u16) -> Result {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("myq-gateway stopped at start ({status})"));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(format!(
                    "myq-gateway did not listen on {addr} within {} s",
                    START_TIMEOUT.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The configuration file and its secret files, in a fresh `launch.dir`; answers the file's path.
fn write_config(launch: &Launch) -> Result<PathBuf> {
    let dir = &launch.dir;
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .map_err(|err| format!("cannot empty {}: {err}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)
        .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    let secret = |name: &str, value: &str| -> Result<PathBuf> {
        let path = dir.join(name);
        std::fs::write(&path, value)
            .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
        Ok(path)
    };
    let client_secret = secret("myq-client-secret", SIM_CLIENT_SECRET)?;
    let session_key = secret("session-key", &random_hex(32)?)?;
    let billing_key = secret("billing-key", DEMO_BILLING_KEY)?;
    let text = format!(
        r#"# Written by cargo xtask: myq-gateway in front of the simulator (MyQ X and the billing
# endpoint), behind the simulator's sign-in proxy stand-in. Each start writes it afresh.
listen = "127.0.0.1:{port}"
public_origin = {origin}
database_url = {database}
static_dir = {bundle}

[myq]
url = {myq}
client_id = "{SIM_CLIENT_ID}"
client_secret = {{ file = {client_secret} }}

[identity]
mode = "header"
trusted_proxies = ["127.0.0.1"]
# The demo sign-in's "groups" field: print-desk makes an operator (the help desk page).
operator_group = "print-desk"

[session]
key = {{ file = {session_key} }}

[policy]
min = 20
max = 500
step = 0.01
daily_cap = 1000
monthly_cap = 5000
description = "Student portal top-up"

[billing]
url = {billing}
key = {{ file = {billing_key} }}

[audit]
path = {audit}
"#,
        port = launch.port,
        origin = toml_string(launch.public_origin),
        database = toml_string(&format!(
            "sqlite://{}",
            dir.join("ledger.sqlite3").display()
        )),
        bundle = toml_path(&tools::bundle_dir()),
        myq = toml_string(&format!("{}/api", launch.sim_url)),
        client_secret = toml_path(&client_secret),
        session_key = toml_path(&session_key),
        billing = toml_string(&format!("{}/billing", launch.sim_url)),
        billing_key = toml_path(&billing_key),
        audit = toml_path(&dir.join("audit.jsonl")),
    );
    let path = dir.join("myq-gateway.toml");
    std::fs::write(&path, text).map_err(|err| format!("cannot write {}: {err}", path.display()))?;
    Ok(path)
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

fn toml_path(path: &Path) -> String {
    toml_string(&path.display().to_string())
}

/// `bytes` random bytes from the system, as hex: a session key nobody else knows.
fn random_hex(bytes: usize) -> Result<String> {
    use std::io::Read;
    let mut buffer = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut buffer))
        .map_err(|err| format!("cannot read /dev/urandom: {err}"))?;
    Ok(buffer.iter().map(|b| format!("{b:02x}")).collect())
}
