//! A throwaway PostgreSQL cluster for tests, when `initdb` and `pg_ctl` are on the PATH.
//!
//! PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user
//! (its directory is handed to it, and the binaries run through `runuser`). The cluster listens
//! on a free loopback port, trusts local connections, and is stopped when dropped.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};

pub struct Postgres {
    dir: tempfile::TempDir,
    as_postgres_user: bool,
    /// `postgres://test@127.0.0.1:<port>/postgres`
    pub url: String,
    port: u16,
}

impl Postgres {
    /// A running cluster, or `None` (said plainly on stderr) when PostgreSQL is not installed.
    pub fn start() -> Option<Postgres> {
        if !on_path("initdb") || !on_path("pg_ctl") {
            eprintln!(
                "PostgreSQL's initdb/pg_ctl are not on the PATH: skipping the PostgreSQL tests"
            );
            return None;
        }
        let as_postgres_user = is_root();
        let dir = tempfile::tempdir().expect("a temporary directory");
        if as_postgres_user {
            run(Command::new("chown").arg("postgres").arg(dir.path()));
        }
        let port = free_port();
        let cluster = Postgres {
            url: format!("postgres://test@127.0.0.1:{port}/postgres"),
            dir,
            as_postgres_user,
            port,
        };
        let data = cluster.data();
        run(&mut cluster.command(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "test", "--no-sync"],
        ));
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            cluster.dir.path().display()
        );
        let log = cluster.dir.path().join("server.log").display().to_string();
        run(&mut cluster.command(
            "pg_ctl",
            &["-D", &data, "-o", &options, "-l", &log, "-w", "start"],
        ));
        Some(cluster)
    }

    /// A fresh, empty database in the cluster: its URL.
    pub async fn database(&self, name: &str) -> String {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut connection = sqlx::AnyConnection::connect(&self.url)
            .await
            .expect("the test cluster");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut connection)
            .await
            .expect("a new database");
        format!("postgres://test@127.0.0.1:{}/{name}", self.port)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut command = if self.as_postgres_user {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--", program]);
            command
        } else {
            Command::new(program)
        };
        command.args(args).stdin(Stdio::null());
        command
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self
            .command("pg_ctl", &["-D", &data, "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| Path::new(&dir).join(program).is_file())
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("{command:?}: {error}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
