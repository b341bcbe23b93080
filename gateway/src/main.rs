//! `myq-gateway`: the server between `<myq-topup>` and MyQ X.

use std::process::ExitCode;

use myq_gateway::config::Config;
use myq_gateway::{report, serve};

const USAGE: &str = "\
myq-gateway: the same-origin server between <myq-topup> and MyQ X

usage:
  myq-gateway --config FILE          serve, with the settings in FILE (TOML)
  myq-gateway check-config FILE      say whether FILE is right, and exactly what is wrong
  myq-gateway report --config FILE --from DATE --to DATE
                                     per day from the ledger: charged, credited, declined,
                                     rolled back, and every mismatch; the help desk's cash
                                     per operator, and every flagged credit (dates YYYY-MM-DD)

An annotated example configuration is gateway/myq-gateway.example.toml.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("myq-gateway: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let strs: Vec<&str> = args.iter().map(String::as_str).collect();
    match strs.as_slice() {
        ["--config", file] => serve_with(file),
        ["check-config", file] => {
            Config::load(file).map_err(|err| err.to_string())?;
            println!("{file}: the configuration is complete and its secrets are readable");
            Ok(())
        }
        ["report", rest @ ..] => {
            let options = report::Options::parse(rest)?;
            let config = Config::load(&options.config).map_err(|err| err.to_string())?;
            runtime()?.block_on(report::print(&config, &options))
        }
        ["--help" | "-h"] => {
            print!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unexpected arguments\n\n{USAGE}")),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Runtime::new().map_err(|err| format!("cannot start the runtime: {err}"))
}

fn serve_with(file: &str) -> Result<(), String> {
    let config = Config::load(file).map_err(|err| err.to_string())?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "myq_gateway=info".into()),
        )
        // The log goes to standard error: standard output carries the listening line and,
        // by default, the audit log's JSON lines, which log lines must not break up.
        .with_writer(std::io::stderr)
        .init();
    runtime()?.block_on(async {
        let running = serve::start(config).await?;
        println!("myq-gateway at {}", running.url());
        shutdown_signal().await;
        running.stop().await;
        Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
