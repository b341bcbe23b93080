//! `myq-sim`: runs the MyQ X simulator until Ctrl-C.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use myq_sim::Options;
use myq_sim::data::SimData;
use myq_sim::myq::LONGEST_TOKEN_LIFETIME;
use myq_sim::sso::{self, SsoOptions};

const USAGE: &str = "\
myq-sim: a stand-in MyQ X server (credit recharge API) for the myq-topup widget

usage: myq-sim [options]
  --port P               port to listen on (default 8080; 0 picks a free one)
  --bind ADDR            address to listen on (default 127.0.0.1)
  --data FILE            start from this JSON data instead of the built-in users and clients
  --token-lifetime SECS  lifetime of issued tokens (default 1800)
  --allow-origin ORIGIN  let this browser origin call the API (CORS); repeatable
  --control              serve the control API under /_sim (faults, state, reset)
  --demo-token           serve /demo/token, a host-backend stand-in that mints tokens
  --www DIR              serve the built widget from DIR under /myq-topup/
  --header-timeout-ms MS time a client has to send a request's headers (default 10000)
  --body-timeout-ms MS   time a client has to send a request's body, else 408 (default 30000)
  --billing-key-file F   serve the university's billing endpoint, POST /billing/charges
                         (docs/billing.md), verifying signatures with the key in file F (trimmed)
  --billing-key KEY      the same with the key given here: for demos, as it shows in `ps`
  --sso-proxy-to URL     also run the sign-in proxy stand-in in front of the myq-gateway at
                         URL (http://127.0.0.1:PORT): a demo sign-in page at /demo/sign-in,
                         every other request passed to the gateway with X-Auth-Request-User
                         from its cookie
  --sso-port P           the stand-in's port (default 0: a free one; printed on stdout)
  --quiet                no line per request
";

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options::default();
    let (mut ip, mut port) = (IpAddr::V4(Ipv4Addr::LOCALHOST), 8080u16);
    let (mut sso_proxy_to, mut sso_port) = (None, None);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--port" => {
                port = value()?
                    .parse()
                    .map_err(|_| "--port takes a number 0-65535")?
            }
            "--bind" => ip = value()?.parse().map_err(|_| "--bind takes an IP address")?,
            "--data" => options.data = SimData::load(&PathBuf::from(value()?))?,
            "--token-lifetime" => {
                let longest = LONGEST_TOKEN_LIFETIME.as_secs();
                options.token_lifetime = value()?
                    .parse()
                    .ok()
                    .filter(|secs| *secs <= longest)
                    .map(Duration::from_secs)
                    .ok_or_else(|| format!("--token-lifetime takes seconds, 0 to {longest}"))?;
            }
            "--allow-origin" => {
                let origin = value()?;
                let (scheme, host) = origin.split_once("://").unwrap_or_default();
                let valid = matches!(scheme, "http" | "https")
                    && !host.is_empty()
                    && !host.contains('/')
                    && origin.is_ascii();
                if !valid {
                    return Err(format!(
                        "--allow-origin takes an origin like http://127.0.0.1:8000, not '{origin}'"
                    ));
                }
                options.allow_origins.push(origin);
            }
            "--control" => options.control = true,
            "--demo-token" => options.demo_token = true,
            "--www" => options.www = Some(PathBuf::from(value()?)),
            "--header-timeout-ms" => options.header_timeout = millis(&flag, value()?)?,
            "--body-timeout-ms" => options.body_timeout = millis(&flag, value()?)?,
            "--billing-key-file" => {
                let file = value()?;
                let key = std::fs::read_to_string(&file)
                    .map_err(|err| format!("--billing-key-file: cannot read {file}: {err}"))?;
                options.billing_key = Some(billing_key(&flag, key.trim())?);
            }
            "--billing-key" => options.billing_key = Some(billing_key(&flag, value()?.trim())?),
            "--sso-proxy-to" => sso_proxy_to = Some(sso::parse_upstream(&value()?)?),
            "--sso-port" => {
                sso_port = Some(
                    value()?
                        .parse::<u16>()
                        .map_err(|_| "--sso-port takes a number 0-65535")?,
                )
            }
            "--quiet" => options.quiet = true,
            "--help" | "-h" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown option '{other}'\n\n{USAGE}")),
        }
    }
    if options.data.clients.is_empty() && options.demo_token {
        return Err("--demo-token needs at least one API client in the data".into());
    }
    options.bind = SocketAddr::new(ip, port);
    options.sso = match (sso_proxy_to, sso_port) {
        (Some(proxy_to), port) => Some(SsoOptions {
            bind: SocketAddr::new(ip, port.unwrap_or(0)),
            proxy_to,
        }),
        (None, Some(_)) => return Err("--sso-port needs --sso-proxy-to".into()),
        (None, None) => None,
    };
    Ok(options)
}

/// A billing key: not empty.
fn billing_key(flag: &str, key: &str) -> Result<String, String> {
    if key.is_empty() {
        return Err(format!("{flag}: the billing key is empty"));
    }
    Ok(key.to_owned())
}

/// A timeout flag's value: whole milliseconds, at least one.
fn millis(flag: &str, value: String) -> Result<Duration, String> {
    match value.parse() {
        Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
        _ => Err(format!(
            "{flag} takes a positive number of milliseconds, not '{value}'"
        )),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    if !options.bind.ip().is_loopback() {
        eprintln!(
            "warning: listening on {}, beyond this machine",
            options.bind.ip()
        );
    }
    let running = match myq_sim::start(options).await {
        Ok(running) => running,
        Err(err) => {
            eprintln!("myq-sim: cannot listen: {err}");
            return ExitCode::FAILURE;
        }
    };
    // The first line on stdout names the address: tools that start the simulator read it.
    println!("myq-sim listening on {}", running.url());
    // The second line, with the stand-in: "… listening on http://127.0.0.1:PORT" too.
    if let Some(url) = running.sso_url() {
        println!("sign-in proxy stand-in listening on {url}");
    }
    let _ = tokio::signal::ctrl_c().await;
    running.stop().await;
    eprintln!("myq-sim stopped");
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Result<Options, String> {
        parse(args.iter().map(|a| a.to_string()))
    }

    #[test]
    fn the_billing_key_comes_from_a_file_trimmed_or_the_command_line() {
        let file = std::env::temp_dir().join(format!("myq-sim-billing-{}", std::process::id()));
        std::fs::write(&file, "  s3cret\n").unwrap();
        let from_file = parsed(&["--billing-key-file", file.to_str().unwrap()]);
        std::fs::write(&file, "\n").unwrap();
        let empty = parsed(&["--billing-key-file", file.to_str().unwrap()]).err();
        std::fs::remove_file(&file).unwrap();
        assert_eq!(from_file.unwrap().billing_key.as_deref(), Some("s3cret"));
        assert_eq!(
            empty.as_deref(),
            Some("--billing-key-file: the billing key is empty")
        );
        let given = parsed(&["--billing-key", "demo"]).unwrap();
        assert_eq!(given.billing_key.as_deref(), Some("demo"));
        assert_eq!(Options::default().billing_key, None, "off unless asked for");
    }

    #[test]
    fn a_token_lifetime_past_ten_years_is_refused() {
        let lifetime = parsed(&["--token-lifetime", "315360000"])
            .unwrap()
            .token_lifetime;
        assert_eq!(lifetime, LONGEST_TOKEN_LIFETIME);
        let refused = parsed(&["--token-lifetime", "18446744073709551615"]).err();
        assert_eq!(
            refused.as_deref(),
            Some("--token-lifetime takes seconds, 0 to 315360000")
        );
    }
}
