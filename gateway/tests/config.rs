//! The configuration file: the example loads, and each kind of mistake is named with its key.

use myq_gateway::config::{AuditConfig, Config, IdentitySource, JwtKey};
use myq_gateway::policy::Money;
use std::path::{Path, PathBuf};
use std::time::Duration;

const EXAMPLE: &str = include_str!("../myq-gateway.example.toml");

/// A directory standing in for /etc/myq-gateway, with every secret the example names.
struct Secrets {
    dir: tempfile::TempDir,
}

impl Secrets {
    fn new() -> Secrets {
        let dir = tempfile::tempdir().unwrap();
        for (name, value) in [
            ("myq-client-secret", "client-secret\n"),
            ("session-key", "  0123456789abcdef0123456789abcdef\n"),
            ("billing-key", "billing-key"),
            ("sso-hs256-key", "shared sso key"),
            ("short-key", "too short"),
            ("empty", "\n"),
        ] {
            std::fs::write(dir.path().join(name), value).unwrap();
        }
        std::fs::write(dir.path().join("sso-jwks.json"), JWKS).unwrap();
        std::fs::write(dir.path().join("not-jwks.json"), "{\"keys\": 5}").unwrap();
        Secrets { dir }
    }

    /// `text` with /etc/myq-gateway/ pointing here.
    fn localise(&self, text: &str) -> String {
        text.replace(
            "/etc/myq-gateway/",
            &format!("{}/", self.dir.path().display()),
        )
    }

    fn parse(&self, text: &str) -> Result<Config, String> {
        Config::parse(Path::new("gateway.toml"), &self.localise(text))
            .map_err(|error| error.to_string())
    }
}

/// A P-256 public key (any valid point serves: only loading is tested here).
const JWKS: &str = r#"{"keys": [{"kty": "EC", "crv": "P-256", "kid": "sso-1", "use": "sig",
  "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
  "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;

#[test]
fn the_example_loads_with_its_secrets() {
    let secrets = Secrets::new();
    let path = secrets.dir.path().join("myq-gateway.toml");
    std::fs::write(&path, secrets.localise(EXAMPLE)).unwrap();
    let config = Config::load(&path).unwrap_or_else(|error| panic!("{error}"));

    assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(config.public_origin, "https://intranet.example.edu");
    assert_eq!(
        (config.api_prefix.as_str(), config.session_path.as_str()),
        ("/myq-api", "/myq-session")
    );
    assert_eq!(config.trusted_proxies.len(), 2);
    assert_eq!(
        config.myq.url.as_str(),
        "https://print.example.edu:8090/api"
    );
    assert_eq!(config.myq.client_secret.expose(), "client-secret");
    assert_eq!(config.myq.timeout, Duration::from_secs(15));
    assert_eq!(
        config.session.key.expose(),
        "0123456789abcdef0123456789abcdef"
    );
    assert_eq!(config.session.lifetime, Duration::from_secs(600));
    let amounts = &config.policy.amounts;
    assert_eq!(
        (amounts.min, amounts.max, amounts.step),
        (Money(500), Money(10000), Money(50))
    );
    assert_eq!(
        (amounts.daily_cap, amounts.monthly_cap),
        (Some(Money(20000)), Some(Money(50000)))
    );
    assert_eq!(config.policy.utc_offset.whole_hours(), 1);
    assert_eq!(config.billing.key.expose(), "billing-key");
    assert_eq!(config.limits.body_limit_bytes, 16384);
    assert_eq!(
        config.audit,
        AuditConfig::File(PathBuf::from("/var/log/myq-gateway/audit.jsonl"))
    );
    let IdentitySource::Header(header) = &config.identity.source else {
        panic!("header mode")
    };
    assert_eq!(header.user_header, "x-auth-request-user");
    assert_eq!(
        config.identity.operator_group.as_deref(),
        Some("print-desk")
    );
}

#[test]
fn secrets_never_print() {
    let config = Secrets::new().parse(EXAMPLE).unwrap();
    let printed = format!("{config:?}");
    for secret in ["client-secret", "0123456789abcdef", "billing-key"] {
        assert!(!printed.contains(secret), "{secret} printed");
    }
    assert_eq!(config.billing.key.to_string(), "[redacted]");
}

const MINIMAL: &str = r#"
public_origin = "https://intranet.example.edu"
database_url = "sqlite://ledger.sqlite3"
[myq]
url = "https://print.example.edu:8090/api"
client_id = "gw"
client_secret = { file = "/etc/myq-gateway/myq-client-secret" }
[identity]
mode = "header"
trusted_proxies = ["10.0.0.1"]
[session]
key = { file = "/etc/myq-gateway/session-key" }
[policy]
min = 1
max = 50
step = 1
[billing]
url = "https://billing.example.edu"
key = { file = "/etc/myq-gateway/billing-key" }
"#;

const JWT_HS256: &str = r#"
[identity]
mode = "jwt"
cookie = "id_token"
issuer = "https://sso.example.edu"
audience = "myq-gateway"
hs256_key = { file = "/etc/myq-gateway/sso-hs256-key" }
"#;

/// `MINIMAL` with `key = value` lines replaced, added to (`[table] key` absent) or removed
/// (`value` empty).
fn with(changes: &[(&str, &str, &str)]) -> String {
    let mut table = String::new();
    let mut lines: Vec<(String, String)> = Vec::new();
    for line in MINIMAL.lines() {
        if line.starts_with('[') {
            table = line.to_string();
        }
        lines.push((table.clone(), line.to_string()));
    }
    for (in_table, key, value) in changes {
        let position = lines.iter().position(|(table, line)| {
            table == in_table && line.split('=').next().unwrap().trim() == *key
        });
        let replacement = (in_table.to_string(), format!("{key} = {value}"));
        match (position, value.is_empty()) {
            (Some(at), true) => {
                lines.remove(at);
            }
            (Some(at), false) => lines[at] = replacement,
            (None, _) => match lines.iter().rposition(|(table, _)| table == in_table) {
                Some(end) => lines.insert(end + 1, replacement),
                None => {
                    lines.push((in_table.to_string(), in_table.to_string()));
                    lines.push(replacement);
                }
            },
        }
    }
    lines.into_iter().map(|(_, line)| line + "\n").collect()
}

#[test]
fn the_minimal_file_takes_the_defaults() {
    let config = Secrets::new().parse(MINIMAL).unwrap();
    assert_eq!(config.api_prefix, "/myq-api");
    assert_eq!(config.session_path, "/myq-session");
    assert_eq!(config.myq.scopes, ["credit", "users"]);
    assert_eq!(config.myq.provider, "external");
    assert_eq!(config.session.lifetime, Duration::from_secs(600));
    assert_eq!(config.policy.abandoned_after, Duration::from_secs(30 * 60));
    assert_eq!(config.policy.utc_offset, time::UtcOffset::UTC);
    assert_eq!(config.policy.amounts.daily_cap, None);
    assert_eq!(config.limits.requests_per_minute.get(), 120);
    assert_eq!(config.audit, AuditConfig::Stdout);
    let IdentitySource::Header(header) = &config.identity.source else {
        panic!("header mode")
    };
    assert_eq!(header.groups_header, "x-auth-request-groups");
}

#[test]
fn jwt_mode_loads_a_shared_key_or_a_jwks() {
    let secrets = Secrets::new();
    let hs256 = secrets.parse(&MINIMAL.replace(
        "[identity]\nmode = \"header\"\ntrusted_proxies = [\"10.0.0.1\"]\n",
        JWT_HS256.trim_start(),
    ));
    let IdentitySource::Jwt(jwt) = hs256.unwrap().identity.source else {
        panic!("jwt mode")
    };
    assert!(matches!(&jwt.key, JwtKey::Hs256(key) if key.expose() == "shared sso key"));
    assert_eq!(
        (jwt.username_claim.as_str(), jwt.groups_claim.as_str()),
        ("preferred_username", "groups")
    );

    let jwks = secrets.parse(&MINIMAL.replace(
        "[identity]\nmode = \"header\"\ntrusted_proxies = [\"10.0.0.1\"]\n",
        &JWT_HS256.trim_start().replace(
            "hs256_key = { file = \"/etc/myq-gateway/sso-hs256-key\" }",
            "jwks_file = \"/etc/myq-gateway/sso-jwks.json\"\nbearer = true",
        ),
    ));
    let IdentitySource::Jwt(jwt) = jwks.unwrap().identity.source else {
        panic!("jwt mode")
    };
    assert!(matches!(&jwt.key, JwtKey::Jwks(set) if set.keys.len() == 1));
    assert!(jwt.bearer);
}

#[test]
fn an_unset_environment_variable_is_named() {
    let error = Secrets::new()
        .parse(&with(&[(
            "[billing]",
            "key",
            "{ env = \"MYQ_GATEWAY_TEST_SURELY_UNSET\" }",
        )]))
        .unwrap_err();
    assert_eq!(
        error,
        "gateway.toml: [billing] key: the environment variable MYQ_GATEWAY_TEST_SURELY_UNSET is not set"
    );
}

#[test]
fn broken_files_say_what_is_wrong_and_where() {
    let jwt = |changes: &[(&str, &str, &str)]| {
        let mut all = vec![
            ("[identity]", "mode", "\"jwt\""),
            ("[identity]", "trusted_proxies", ""),
            ("[identity]", "cookie", "\"id_token\""),
            ("[identity]", "issuer", "\"https://sso.example.edu\""),
            ("[identity]", "audience", "\"myq-gateway\""),
            (
                "[identity]",
                "hs256_key",
                "{ file = \"/etc/myq-gateway/sso-hs256-key\" }",
            ),
        ];
        all.extend_from_slice(changes);
        with(&all)
    };
    let cases: Vec<(String, &str)> = vec![
        // The file's shape, as TOML reads it: located by line and column.
        (
            with(&[("", "colour", "\"blue\"")]),
            "line 4, column 1: unknown field `colour`",
        ),
        (
            with(&[("[policy]", "maximum", "50")]),
            "line 17, column 1: unknown field `maximum`",
        ),
        (
            MINIMAL.replace("[billing]", "[biling]"),
            "unknown field `biling`",
        ),
        (
            with(&[("[myq]", "client_secret", "\"hunter2\"")]),
            "secrets are not written in the configuration file",
        ),
        (
            with(&[("[myq]", "client_secret", "{ path = \"/x\" }")]),
            "unknown field `path`, expected `file` or `env`",
        ),
        (
            with(&[("[myq]", "client_secret", "{ file = \"/x\", env = \"X\" }")]),
            "give file or env, not both",
        ),
        (with(&[("[myq]", "url", "")]), "missing field `url`"),
        (
            with(&[("[identity]", "mode", "\"ldap\"")]),
            "unknown variant `ldap`, expected `header` or `jwt`",
        ),
        (
            with(&[("[policy]", "min", "\"five\"")]),
            "an amount like 20 or 12.50",
        ),
        (
            with(&[("", "listen", "\"localhost\"")]),
            "invalid socket address syntax",
        ),
        // Values: located by key.
        (
            with(&[("", "public_origin", "\"intranet.example.edu\"")]),
            "public_origin: not a URL (relative URL without a base)",
        ),
        (
            with(&[(
                "",
                "public_origin",
                "\"https://intranet.example.edu/portal\"",
            )]),
            "public_origin: expected an origin like",
        ),
        (
            with(&[("", "api_prefix", "\"myq-api\"")]),
            "api_prefix: expected a path like \"/myq-api\"",
        ),
        (
            with(&[("", "session_path", "\"/myq-api/session\"")]),
            "session_path: must not be below api_prefix (/myq-api)",
        ),
        (
            with(&[("", "api_prefix", "\"/myq-topup/api\"")]),
            "api_prefix: must not be below /myq-topup: static_dir is served there",
        ),
        (
            with(&[("", "database_url", "\"mysql://db/ledger\"")]),
            "database_url: expected \"sqlite://",
        ),
        (
            with(&[("", "trusted_proxies", "[\"10.0.0.0/33\"]")]),
            "trusted_proxies: expected IP addresses or CIDRs like \"10.0.0.0/8\", got \"10.0.0.0/33\"",
        ),
        (
            with(&[("[myq]", "url", "\"ftp://print.example.edu\"")]),
            "[myq] url: expected an http:// or https:// URL",
        ),
        (
            with(&[(
                "[myq]",
                "client_secret",
                "{ file = \"/etc/myq-gateway/missing\" }",
            )]),
            "[myq] client_secret: cannot read the secret file",
        ),
        (
            with(&[(
                "[myq]",
                "client_secret",
                "{ file = \"/etc/myq-gateway/empty\" }",
            )]),
            "[myq] client_secret: the secret is empty",
        ),
        (
            with(&[("[myq]", "scopes", "[\"credit\"]")]),
            "[myq] scopes: must include \"users\"",
        ),
        (
            with(&[("[myq]", "timeout_seconds", "0")]),
            "[myq] timeout_seconds: expected 1 to 300, got 0",
        ),
        (
            with(&[("[myq]", "ca_file", "\"/nonexistent/ca.pem\"")]),
            "[myq] ca_file: cannot read /nonexistent/ca.pem",
        ),
        (
            with(&[("[identity]", "trusted_proxies", "")]),
            "[identity] trusted_proxies: mode = \"header\" needs the addresses of the sign-in proxies",
        ),
        (
            with(&[("[identity]", "user_header", "\"X User\"")]),
            "[identity] user_header: not a header name",
        ),
        (
            with(&[("[identity]", "issuer", "\"https://sso\"")]),
            "[identity] issuer: does not apply to mode = \"header\"",
        ),
        (
            jwt(&[("[identity]", "hs256_key", "")]),
            "[identity] hs256_key: mode = \"jwt\" needs hs256_key or jwks_file",
        ),
        (
            jwt(&[(
                "[identity]",
                "jwks_file",
                "\"/etc/myq-gateway/sso-jwks.json\"",
            )]),
            "[identity] jwks_file: give hs256_key or jwks_file, not both",
        ),
        (
            jwt(&[("[identity]", "cookie", "")]),
            "[identity] cookie: mode = \"jwt\" needs cookie = \"<name>\", bearer = true, or both",
        ),
        (
            jwt(&[("[identity]", "audience", "")]),
            "[identity] audience: mode = \"jwt\" needs it",
        ),
        (
            jwt(&[("[identity]", "user_header", "\"X-User\"")]),
            "[identity] user_header: does not apply to mode = \"jwt\"",
        ),
        (
            jwt(&[
                ("[identity]", "hs256_key", ""),
                (
                    "[identity]",
                    "jwks_file",
                    "\"/etc/myq-gateway/not-jwks.json\"",
                ),
            ]),
            "not-jwks.json is not a JWKS",
        ),
        (
            with(&[(
                "[session]",
                "key",
                "{ file = \"/etc/myq-gateway/short-key\" }",
            )]),
            "[session] key: must be at least 32 characters",
        ),
        (
            with(&[("[session]", "lifetime_minutes", "90")]),
            "[session] lifetime_minutes: expected 1 to 60, got 90",
        ),
        (
            with(&[("[policy]", "min", "60")]),
            "[policy] min: must not be more than max (60.00 > 50.00)",
        ),
        (
            with(&[("[policy]", "min", "0")]),
            "[policy] min: must be more than zero",
        ),
        (
            with(&[("[policy]", "step", "0.005")]),
            "[policy] step: expected an amount with at most two decimals",
        ),
        (
            with(&[("[policy]", "step", "3")]),
            "[policy] min: must be a multiple of step (1.00 is not a multiple of 3.00)",
        ),
        (
            with(&[("[policy]", "min", "3"), ("[policy]", "step", "3")]),
            "[policy] max: must be a multiple of step (50.00 is not a multiple of 3.00)",
        ),
        (
            with(&[("[policy]", "daily_cap", "0.5")]),
            "[policy] daily_cap: is less than min (0.50 < 1.00)",
        ),
        (
            with(&[
                ("[policy]", "daily_cap", "100"),
                ("[policy]", "monthly_cap", "90"),
            ]),
            "[policy] monthly_cap: is less than daily_cap (90.00 < 100.00)",
        ),
        (
            with(&[("[policy]", "description", "\"  \"")]),
            "[policy] description: must not be empty",
        ),
        (
            with(&[("[policy]", "utc_offset", "\"CET\"")]),
            "[policy] utc_offset: expected an offset like \"+01:00\" or \"-05:00\", got \"CET\"",
        ),
        (
            with(&[("[policy]", "abandoned_after_minutes", "0")]),
            "[policy] abandoned_after_minutes: must be at least 1",
        ),
        (
            with(&[("[billing]", "url", "\"not a url\"")]),
            "[billing] url: not a URL",
        ),
        (
            with(&[("[limits]", "burst", "0")]),
            "[limits] burst: must be at least 1",
        ),
    ];
    let secrets = Secrets::new();
    let mismatches: Vec<String> = cases
        .iter()
        .filter_map(|(text, expected)| match secrets.parse(text) {
            Ok(_) => Some(format!("accepted, expected {expected:?}:\n{text}")),
            Err(error) if !error.starts_with("gateway.toml: ") || !error.contains(expected) => {
                Some(format!("expected {expected:?} in\n{error}"))
            }
            Err(error) if error.contains("hunter2") => {
                Some(format!("the inline secret was echoed: {error}"))
            }
            Err(_) => None,
        })
        .collect();
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
}

#[test]
fn a_long_description_is_refused() {
    let long = format!("\"{}\"", "x".repeat(227));
    let error = Secrets::new()
        .parse(&with(&[("[policy]", "description", &long)]))
        .unwrap_err();
    assert!(
        error.contains("[policy] description: at most 226 characters"),
        "{error}"
    );
}

#[test]
fn a_missing_file_is_named() {
    let error = Config::load("/nonexistent/myq-gateway.toml").unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("/nonexistent/myq-gateway.toml: file: cannot read it"),
        "{error}"
    );
}
