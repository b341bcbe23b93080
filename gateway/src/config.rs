//! The gateway's configuration: one TOML file, read and checked as a whole by
//! [`Config::load`], so a mistake stops the gateway at start with the file, the key and what
//! was expected, rather than at the first top-up.
//!
//! `gateway/myq-gateway.example.toml` documents every key. Secrets are never written in the
//! file: each is `{ file = "/etc/myq-gateway/…" }` (the file's contents, trimmed) or
//! `{ env = "VARIABLE" }`, because a file that holds secrets ends up committed, pasted into
//! tickets and readable by everyone who may read the configuration.

use crate::identity;
use crate::policy::{AmountPolicy, Money};
use axum::http::HeaderName;
use ipnet::IpNet;
use jsonwebtoken::jwk::JwkSet;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;
use time::UtcOffset;
use url::Url;

/// The checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// The only `Origin` allowed to call the API, serialised as browsers send it
    /// (`https://intranet.example.edu`, no trailing slash).
    pub public_origin: String,
    /// The widget's `base-url`: MyQ X's paths are served below it. Starts with `/`, no
    /// trailing `/`.
    pub api_prefix: String,
    /// The widget's `token-url`.
    pub session_path: String,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Peers whose `X-Forwarded-For` is believed (for logs and rate limits).
    pub trusted_proxies: Vec<IpNet>,
    pub myq: MyqConfig,
    pub identity: IdentityConfig,
    pub session: SessionConfig,
    pub policy: PolicyConfig,
    pub billing: BillingConfig,
    pub limits: LimitsConfig,
    pub reconcile: ReconcileConfig,
    pub audit: AuditConfig,
    /// The widget's built files (its release bundle, which holds the portal page too), served
    /// from the gateway's origin under `/myq-topup/` ([`crate::serve::STATIC_PATH`]).
    pub static_dir: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct MyqConfig {
    /// MyQ X's API root, `/api` included (docs/myq-api.md, "Base URL").
    pub url: Url,
    pub client_id: String,
    pub client_secret: Secret,
    pub scopes: Vec<String>,
    /// Extra CA certificate (PEM) for a MyQ X server with a private CA.
    pub ca_file: Option<PathBuf>,
    pub timeout: Duration,
    /// The recharge provider's reference.
    pub provider: String,
}

#[derive(Debug, Clone)]
pub struct IdentityConfig {
    pub source: IdentitySource,
    /// Members are operators (may top up anyone); without it everyone is a student.
    pub operator_group: Option<String>,
    /// Members are administrators (reports, the help desk).
    pub admin_group: Option<String>,
}

/// Where the signed-in person's name comes from.
#[derive(Debug, Clone)]
pub enum IdentitySource {
    /// A sign-in proxy (oauth2-proxy and the like) sets headers.
    Header(HeaderSource),
    /// The single sign-on's JWT, from a cookie or `Authorization: Bearer`.
    Jwt(JwtSource),
}

#[derive(Debug, Clone)]
pub struct HeaderSource {
    pub user_header: HeaderName,
    pub groups_header: HeaderName,
    /// The headers are honoured only from these peers.
    pub trusted_proxies: Vec<IpNet>,
}

#[derive(Debug, Clone)]
pub struct JwtSource {
    pub cookie: Option<String>,
    /// Whether `Authorization: Bearer <jwt>` is read.
    pub bearer: bool,
    pub issuer: String,
    pub audience: String,
    pub key: JwtKey,
    pub username_claim: String,
    pub groups_claim: String,
}

#[derive(Debug, Clone)]
pub enum JwtKey {
    /// HS256 with a shared secret.
    Hs256(Secret),
    /// RS256 / ES256 public keys, picked by `kid`.
    Jwks(JwkSet),
}

#[derive(Debug, Clone)]
pub struct SessionConfig {
    pub key: Secret,
    pub lifetime: Duration,
}

#[derive(Debug, Clone)]
pub struct PolicyConfig {
    pub amounts: AmountPolicy,
    /// The payment description the gateway writes for a student's top-up.
    pub description: String,
    /// A payment still `created` this long is the reconciler's to roll back.
    pub abandoned_after: Duration,
    /// Days and months (the caps' windows) begin at midnight at this offset.
    pub utc_offset: UtcOffset,
}

#[derive(Debug, Clone)]
pub struct BillingConfig {
    pub url: Url,
    pub key: Secret,
    pub timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct ReconcileConfig {
    /// How often the reconciler looks for unfinished payments (it also looks at start).
    pub every: Duration,
}

#[derive(Debug, Clone)]
pub struct LimitsConfig {
    pub requests_per_minute: NonZeroU32,
    pub burst: NonZeroU32,
    pub body_limit_bytes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditConfig {
    Stdout,
    File(PathBuf),
}

/// A secret read from a file or the environment. Prints as `[redacted]`, so a logged
/// configuration leaks nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// What is wrong with the configuration, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    /// `line 3, column 1` for a file TOML cannot read into the expected shape, `[policy] min`
    /// for a value that is wrong.
    pub at: String,
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file.display(), self.at, self.problem)
    }
}

impl std::error::Error for ConfigError {}

const INLINE_SECRET: &str = "secrets are not written in the configuration file: give \
    { file = \"/etc/myq-gateway/<name>\" } or { env = \"<VARIABLE>\" }";

/// A description ends with the widget's intent tag within what MyQ X keeps.
const MAX_DESCRIPTION: usize = myq_api::MAX_HOST_DESCRIPTION_CHARS;
/// HS256 is as strong as its key; 32 bytes is SHA-256's size.
const MIN_SESSION_KEY: usize = 32;

impl Config {
    /// Reads and checks `path`, resolving every secret.
    ///
    /// ```no_run
    /// let config = myq_gateway::config::Config::load("/etc/myq-gateway/myq-gateway.toml")
    ///     .unwrap_or_else(|error| panic!("{error}"));
    /// println!("listening on {}", config.listen);
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError {
            file: path.into(),
            at: "file".into(),
            problem: format!("cannot read it: {error}"),
        })?;
        Config::parse(path, &text)
    }

    /// Checks `text` as if read from `path` (which errors name).
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let raw: raw::Config = toml::from_str(text).map_err(|error| ConfigError {
            file: path.into(),
            at: error
                .span()
                .map(|span| line_and_column(text, span.start))
                .unwrap_or_else(|| "file".into()),
            problem: error.message().trim_end().to_string(),
        })?;
        Checker { file: path }.config(raw)
    }
}

fn line_and_column(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |newline| newline + 1) + 1;
    format!("line {line}, column {column}")
}

/// Turns the file's shape into the checked [`Config`], naming the key of each problem.
struct Checker<'a> {
    file: &'a Path,
}

type Checked<T> = Result<T, ConfigError>;

impl Checker<'_> {
    fn error(&self, key: &str, problem: impl Into<String>) -> ConfigError {
        ConfigError {
            file: self.file.into(),
            at: key.into(),
            problem: problem.into(),
        }
    }

    fn config(&self, raw: raw::Config) -> Checked<Config> {
        let api_prefix = self.path_prefix("api_prefix", raw.api_prefix)?;
        let session_path = self.path_prefix("session_path", raw.session_path)?;
        if session_path == api_prefix || session_path.starts_with(&format!("{api_prefix}/")) {
            return Err(self.error(
                "session_path",
                format!(
                    "must not be below api_prefix ({api_prefix}): MyQ X's paths are served there"
                ),
            ));
        }
        let static_path = crate::serve::STATIC_PATH;
        for (key, path) in [("api_prefix", &api_prefix), ("session_path", &session_path)] {
            if path == static_path || path.starts_with(&format!("{static_path}/")) {
                return Err(self.error(
                    key,
                    format!("must not be below {static_path}: static_dir is served there"),
                ));
            }
        }
        if let Some(dir) = &raw.static_dir
            && !dir.is_dir()
        {
            return Err(self.error(
                "static_dir",
                format!("{} is not a directory", dir.display()),
            ));
        }
        Ok(Config {
            static_dir: raw.static_dir,
            listen: raw.listen,
            public_origin: self.origin("public_origin", &raw.public_origin)?,
            api_prefix,
            session_path,
            database_url: self.database_url(raw.database_url)?,
            trusted_proxies: self.proxies("trusted_proxies", &raw.trusted_proxies)?,
            myq: self.myq(raw.myq)?,
            identity: self.identity(raw.identity)?,
            session: self.session(raw.session)?,
            policy: self.policy(raw.policy)?,
            billing: self.billing(raw.billing)?,
            limits: self.limits(raw.limits)?,
            reconcile: self.reconcile(raw.reconcile)?,
            audit: match raw.audit.path.as_str() {
                "" => {
                    return Err(self.error(
                        "[audit] path",
                        "give a file path, or \"-\" for standard output",
                    ));
                }
                "-" => AuditConfig::Stdout,
                path => AuditConfig::File(path.into()),
            },
        })
    }

    fn path_prefix(&self, key: &str, path: String) -> Checked<String> {
        if !path.starts_with('/')
            || path.len() < 2
            || path.ends_with('/')
            || path.contains(['?', '#'])
        {
            return Err(self.error(
                key,
                format!("expected a path like \"/myq-api\": starting with /, not ending with /, got {path:?}"),
            ));
        }
        Ok(path)
    }

    fn origin(&self, key: &str, text: &str) -> Checked<String> {
        let url = self.http_url(key, text)?;
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(self.error(
                key,
                format!("expected an origin like \"https://intranet.example.edu\" (no path), got {text:?}"),
            ));
        }
        Ok(url.origin().ascii_serialization())
    }

    fn http_url(&self, key: &str, text: &str) -> Checked<Url> {
        let url = Url::parse(text)
            .map_err(|error| self.error(key, format!("not a URL ({error}): {text:?}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(self.error(
                key,
                format!("expected an http:// or https:// URL, got {text:?}"),
            ));
        }
        Ok(url)
    }

    fn database_url(&self, url: String) -> Checked<String> {
        let known = ["sqlite:", "postgres://", "postgresql://"];
        if !known.iter().any(|scheme| url.starts_with(scheme)) {
            return Err(self.error(
                "database_url",
                "expected \"sqlite:///var/lib/myq-gateway/ledger.sqlite3\" or \"postgres://user@host/db\"",
            ));
        }
        Ok(url)
    }

    fn proxies(&self, key: &str, entries: &[String]) -> Checked<Vec<IpNet>> {
        entries
            .iter()
            .map(|entry| {
                parse_net(entry).ok_or_else(|| {
                    self.error(
                        key,
                        format!(
                            "expected IP addresses or CIDRs like \"10.0.0.0/8\", got {entry:?}"
                        ),
                    )
                })
            })
            .collect()
    }

    fn secret(&self, key: &str, source: &raw::SecretSource) -> Checked<Secret> {
        let value = match source {
            raw::SecretSource::File(path) => std::fs::read_to_string(path).map_err(|error| {
                self.error(
                    key,
                    format!("cannot read the secret file {}: {error}", path.display()),
                )
            })?,
            raw::SecretSource::Env(name) => std::env::var(name).map_err(|_| {
                self.error(key, format!("the environment variable {name} is not set"))
            })?,
        };
        let value = value.trim();
        if value.is_empty() {
            return Err(self.error(key, "the secret is empty"));
        }
        Ok(Secret::new(value))
    }

    fn non_empty(&self, key: &str, value: String) -> Checked<String> {
        if value.trim().is_empty() {
            return Err(self.error(key, "must not be empty"));
        }
        Ok(value)
    }

    fn seconds(
        &self,
        key: &str,
        seconds: u64,
        range: std::ops::RangeInclusive<u64>,
    ) -> Checked<Duration> {
        if !range.contains(&seconds) {
            return Err(self.error(
                key,
                format!(
                    "expected {} to {}, got {seconds}",
                    range.start(),
                    range.end()
                ),
            ));
        }
        Ok(Duration::from_secs(seconds))
    }

    fn myq(&self, raw: raw::MyqSection) -> Checked<MyqConfig> {
        for needed in ["credit", "users"] {
            if !raw.scopes.iter().any(|scope| scope == needed) {
                return Err(self.error(
                    "[myq] scopes",
                    format!("must include \"{needed}\": a top-up needs \"credit\" and \"users\""),
                ));
            }
        }
        if let Some(ca_file) = &raw.ca_file {
            std::fs::metadata(ca_file).map_err(|error| {
                self.error(
                    "[myq] ca_file",
                    format!("cannot read {}: {error}", ca_file.display()),
                )
            })?;
        }
        Ok(MyqConfig {
            url: self.http_url("[myq] url", &raw.url)?,
            client_id: self.non_empty("[myq] client_id", raw.client_id)?,
            client_secret: self.secret("[myq] client_secret", &raw.client_secret)?,
            scopes: raw.scopes,
            ca_file: raw.ca_file,
            timeout: self.seconds("[myq] timeout_seconds", raw.timeout_seconds, 1..=300)?,
            provider: self.non_empty("[myq] provider", raw.provider)?,
        })
    }

    fn identity(&self, raw: raw::Identity) -> Checked<IdentityConfig> {
        let source = match raw.mode {
            raw::Mode::Header => self.header_identity(&raw)?,
            raw::Mode::Jwt => self.jwt_identity(&raw)?,
        };
        Ok(IdentityConfig {
            source,
            operator_group: raw.operator_group,
            admin_group: raw.admin_group,
        })
    }

    fn refuse_keys_of_other_mode(&self, mode: &str, present: &[(&str, bool)]) -> Checked<()> {
        match present.iter().find(|(_, is_set)| *is_set) {
            Some((key, _)) => Err(self.error(
                &format!("[identity] {key}"),
                format!("does not apply to mode = \"{mode}\""),
            )),
            None => Ok(()),
        }
    }

    fn header_name(&self, key: &str, name: &str) -> Checked<HeaderName> {
        HeaderName::try_from(name)
            .map_err(|_| self.error(key, format!("not a header name: {name:?}")))
    }

    fn header_identity(&self, raw: &raw::Identity) -> Checked<IdentitySource> {
        self.refuse_keys_of_other_mode(
            "header",
            &[
                ("cookie", raw.cookie.is_some()),
                ("bearer", raw.bearer.is_some()),
                ("issuer", raw.issuer.is_some()),
                ("audience", raw.audience.is_some()),
                ("hs256_key", raw.hs256_key.is_some()),
                ("jwks_file", raw.jwks_file.is_some()),
                ("username_claim", raw.username_claim.is_some()),
                ("groups_claim", raw.groups_claim.is_some()),
            ],
        )?;
        let trusted_proxies = self.proxies(
            "[identity] trusted_proxies",
            raw.trusted_proxies.as_deref().unwrap_or_default(),
        )?;
        if trusted_proxies.is_empty() {
            return Err(self.error(
                "[identity] trusted_proxies",
                "mode = \"header\" needs the addresses of the sign-in proxies: anyone else could send the header",
            ));
        }
        Ok(IdentitySource::Header(HeaderSource {
            user_header: self.header_name(
                "[identity] user_header",
                raw.user_header.as_deref().unwrap_or("X-Auth-Request-User"),
            )?,
            groups_header: self.header_name(
                "[identity] groups_header",
                raw.groups_header
                    .as_deref()
                    .unwrap_or("X-Auth-Request-Groups"),
            )?,
            trusted_proxies,
        }))
    }

    fn jwt_identity(&self, raw: &raw::Identity) -> Checked<IdentitySource> {
        self.refuse_keys_of_other_mode(
            "jwt",
            &[
                ("user_header", raw.user_header.is_some()),
                ("groups_header", raw.groups_header.is_some()),
                ("trusted_proxies", raw.trusted_proxies.is_some()),
            ],
        )?;
        let bearer = raw.bearer.unwrap_or(false);
        if raw.cookie.is_none() && !bearer {
            return Err(self.error(
                "[identity] cookie",
                "mode = \"jwt\" needs cookie = \"<name>\", bearer = true, or both",
            ));
        }
        let key = match (&raw.hs256_key, &raw.jwks_file) {
            (Some(secret), None) => JwtKey::Hs256(self.secret("[identity] hs256_key", secret)?),
            (None, Some(path)) => JwtKey::Jwks(self.jwks("[identity] jwks_file", path)?),
            (None, None) => {
                return Err(self.error(
                    "[identity] hs256_key",
                    "mode = \"jwt\" needs hs256_key or jwks_file",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(self.error(
                    "[identity] jwks_file",
                    "give hs256_key or jwks_file, not both",
                ));
            }
        };
        let required = |key: &str, value: &Option<String>| match value {
            Some(value) => self.non_empty(&format!("[identity] {key}"), value.clone()),
            None => Err(self.error(&format!("[identity] {key}"), "mode = \"jwt\" needs it")),
        };
        Ok(IdentitySource::Jwt(JwtSource {
            cookie: raw.cookie.clone(),
            bearer,
            issuer: required("issuer", &raw.issuer)?,
            audience: required("audience", &raw.audience)?,
            key,
            username_claim: raw
                .username_claim
                .clone()
                .unwrap_or_else(|| "preferred_username".into()),
            groups_claim: raw.groups_claim.clone().unwrap_or_else(|| "groups".into()),
        }))
    }

    fn jwks(&self, key: &str, path: &Path) -> Checked<JwkSet> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| self.error(key, format!("cannot read {}: {error}", path.display())))?;
        let set: JwkSet = serde_json::from_str(&text).map_err(|error| {
            self.error(key, format!("{} is not a JWKS: {error}", path.display()))
        })?;
        identity::verifying_keys(&set)
            .map_err(|problem| self.error(key, format!("{}: {problem}", path.display())))?;
        Ok(set)
    }

    fn session(&self, raw: raw::Session) -> Checked<SessionConfig> {
        let key = self.secret("[session] key", &raw.key)?;
        if key.expose().len() < MIN_SESSION_KEY {
            return Err(self.error(
                "[session] key",
                format!(
                    "must be at least {MIN_SESSION_KEY} characters (e.g. openssl rand -hex 32)"
                ),
            ));
        }
        if !(1..=60).contains(&raw.lifetime_minutes) {
            return Err(self.error(
                "[session] lifetime_minutes",
                format!("expected 1 to 60, got {}", raw.lifetime_minutes),
            ));
        }
        Ok(SessionConfig {
            key,
            lifetime: Duration::from_secs(raw.lifetime_minutes * 60),
        })
    }

    fn money(&self, key: &str, number: raw::Number) -> Checked<Money> {
        let cents = match number {
            raw::Number::Whole(units) => units.checked_mul(100),
            raw::Number::Decimal(units) => {
                let cents = (units * 100.0).round();
                ((units * 100.0 - cents).abs() < 1e-6 && cents.abs() < 1e15).then_some(cents as i64)
            }
        };
        match cents {
            Some(cents) if cents > 0 => Ok(Money(cents)),
            Some(_) => Err(self.error(key, "must be more than zero")),
            None => Err(self.error(
                key,
                "expected an amount with at most two decimals, like 20 or 12.50",
            )),
        }
    }

    fn policy(&self, raw: raw::Policy) -> Checked<PolicyConfig> {
        let min = self.money("[policy] min", raw.min)?;
        let max = self.money("[policy] max", raw.max)?;
        let step = self.money("[policy] step", raw.step)?;
        let cap =
            |key: &str, number: Option<raw::Number>| number.map(|n| self.money(key, n)).transpose();
        let daily_cap = cap("[policy] daily_cap", raw.daily_cap)?;
        let monthly_cap = cap("[policy] monthly_cap", raw.monthly_cap)?;
        if min > max {
            return Err(self.error(
                "[policy] min",
                format!("must not be more than max ({min} > {max})"),
            ));
        }
        for (key, bound) in [("min", min), ("max", max)] {
            if bound.0 % step.0 != 0 {
                return Err(self.error(
                    &format!("[policy] {key}"),
                    format!("must be a multiple of step ({bound} is not a multiple of {step})"),
                ));
            }
        }
        if let Some(daily) = daily_cap.filter(|daily| *daily < min) {
            return Err(self.error(
                "[policy] daily_cap",
                format!("is less than min ({daily} < {min}): no top-up could pass it"),
            ));
        }
        if let (Some(daily), Some(monthly)) = (daily_cap, monthly_cap) {
            if monthly < daily {
                return Err(self.error(
                    "[policy] monthly_cap",
                    format!("is less than daily_cap ({monthly} < {daily})"),
                ));
            }
        } else if let Some(monthly) = monthly_cap.filter(|monthly| *monthly < min) {
            return Err(self.error(
                "[policy] monthly_cap",
                format!("is less than min ({monthly} < {min}): no top-up could pass it"),
            ));
        }
        let description = self.non_empty("[policy] description", raw.description)?;
        if description.chars().count() > MAX_DESCRIPTION {
            return Err(self.error(
                "[policy] description",
                format!("at most {MAX_DESCRIPTION} characters: MyQ X keeps 255, and the intent tag takes 29"),
            ));
        }
        if raw.abandoned_after_minutes == 0 {
            return Err(self.error("[policy] abandoned_after_minutes", "must be at least 1"));
        }
        Ok(PolicyConfig {
            amounts: AmountPolicy {
                min,
                max,
                step,
                daily_cap,
                monthly_cap,
            },
            description,
            abandoned_after: Duration::from_secs(raw.abandoned_after_minutes * 60),
            utc_offset: parse_offset(&raw.utc_offset).ok_or_else(|| {
                self.error(
                    "[policy] utc_offset",
                    format!(
                        "expected an offset like \"+01:00\" or \"-05:00\", got {:?}",
                        raw.utc_offset
                    ),
                )
            })?,
        })
    }

    fn billing(&self, raw: raw::Billing) -> Checked<BillingConfig> {
        Ok(BillingConfig {
            url: self.http_url("[billing] url", &raw.url)?,
            key: self.secret("[billing] key", &raw.key)?,
            timeout: self.seconds("[billing] timeout_seconds", raw.timeout_seconds, 1..=300)?,
        })
    }

    fn reconcile(&self, raw: raw::Reconcile) -> Checked<ReconcileConfig> {
        if !(1..=3600).contains(&raw.interval_seconds) {
            return Err(self.error("[reconcile] interval_seconds", "must be 1 to 3600 seconds"));
        }
        Ok(ReconcileConfig {
            every: Duration::from_secs(raw.interval_seconds),
        })
    }

    fn limits(&self, raw: raw::Limits) -> Checked<LimitsConfig> {
        let positive = |key: &str, value: u32| {
            NonZeroU32::new(value).ok_or_else(|| self.error(key, "must be at least 1"))
        };
        if raw.body_limit_bytes < 1024 {
            return Err(self.error("[limits] body_limit_bytes", "must be at least 1024"));
        }
        Ok(LimitsConfig {
            requests_per_minute: positive("[limits] requests_per_minute", raw.requests_per_minute)?,
            burst: positive("[limits] burst", raw.burst)?,
            body_limit_bytes: raw.body_limit_bytes,
        })
    }
}

/// An IP address (a single host) or a CIDR.
fn parse_net(text: &str) -> Option<IpNet> {
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

/// `+01:00`, `-05:30`, `+00:00`, or `Z`.
fn parse_offset(text: &str) -> Option<UtcOffset> {
    if text == "Z" {
        return Some(UtcOffset::UTC);
    }
    let format = time::macros::format_description!("[offset_hour sign:mandatory]:[offset_minute]");
    UtcOffset::parse(text, format).ok()
}

/// The file's shape, as serde reads it; [`Checker`] turns it into [`Config`].
mod raw {
    use super::INLINE_SECRET;
    use serde::Deserialize;
    use serde::de::{self, Deserializer, MapAccess, Visitor};
    use std::fmt;
    use std::net::SocketAddr;
    use std::path::PathBuf;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Config {
        #[serde(default = "default_listen")]
        pub listen: SocketAddr,
        pub public_origin: String,
        #[serde(default = "default_api_prefix")]
        pub api_prefix: String,
        #[serde(default = "default_session_path")]
        pub session_path: String,
        pub database_url: String,
        #[serde(default)]
        pub trusted_proxies: Vec<String>,
        pub myq: MyqSection,
        pub identity: Identity,
        pub session: Session,
        pub policy: Policy,
        pub billing: Billing,
        #[serde(default)]
        pub limits: Limits,
        #[serde(default)]
        pub reconcile: Reconcile,
        #[serde(default)]
        pub audit: Audit,
        #[serde(default)]
        pub static_dir: Option<PathBuf>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct MyqSection {
        pub url: String,
        pub client_id: String,
        pub client_secret: SecretSource,
        #[serde(default = "default_scopes")]
        pub scopes: Vec<String>,
        pub ca_file: Option<PathBuf>,
        #[serde(default = "default_timeout")]
        pub timeout_seconds: u64,
        #[serde(default = "default_provider")]
        pub provider: String,
    }

    #[derive(Deserialize, Clone, Copy)]
    #[serde(rename_all = "lowercase")]
    pub enum Mode {
        Header,
        Jwt,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Identity {
        pub mode: Mode,
        pub user_header: Option<String>,
        pub groups_header: Option<String>,
        pub trusted_proxies: Option<Vec<String>>,
        pub cookie: Option<String>,
        pub bearer: Option<bool>,
        pub issuer: Option<String>,
        pub audience: Option<String>,
        pub hs256_key: Option<SecretSource>,
        pub jwks_file: Option<PathBuf>,
        pub username_claim: Option<String>,
        pub groups_claim: Option<String>,
        pub operator_group: Option<String>,
        pub admin_group: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Session {
        pub key: SecretSource,
        #[serde(default = "default_session_minutes")]
        pub lifetime_minutes: u64,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Policy {
        pub min: Number,
        pub max: Number,
        pub step: Number,
        pub daily_cap: Option<Number>,
        pub monthly_cap: Option<Number>,
        #[serde(default = "default_description")]
        pub description: String,
        #[serde(default = "default_abandoned_minutes")]
        pub abandoned_after_minutes: u64,
        #[serde(default = "default_utc_offset")]
        pub utc_offset: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Billing {
        pub url: String,
        pub key: SecretSource,
        #[serde(default = "default_timeout")]
        pub timeout_seconds: u64,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, default)]
    pub struct Reconcile {
        pub interval_seconds: u64,
    }

    impl Default for Reconcile {
        fn default() -> Self {
            Reconcile {
                interval_seconds: 60,
            }
        }
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, default)]
    pub struct Limits {
        pub requests_per_minute: u32,
        pub burst: u32,
        pub body_limit_bytes: usize,
    }

    impl Default for Limits {
        fn default() -> Self {
            Limits {
                requests_per_minute: 120,
                burst: 30,
                body_limit_bytes: 16 * 1024,
            }
        }
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Audit {
        pub path: String,
    }

    impl Default for Audit {
        fn default() -> Self {
            Audit { path: "-".into() }
        }
    }

    /// An amount as TOML writes it: `20` or `12.50`.
    #[derive(Deserialize, Clone, Copy)]
    #[serde(untagged, expecting = "an amount like 20 or 12.50")]
    pub enum Number {
        Whole(i64),
        Decimal(f64),
    }

    /// `{ file = "…" }` or `{ env = "…" }`; anything written inline is refused without
    /// echoing it, since it may be the secret.
    pub enum SecretSource {
        File(PathBuf),
        Env(String),
    }

    impl<'de> Deserialize<'de> for SecretSource {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_any(SecretVisitor)
        }
    }

    struct SecretVisitor;

    impl SecretVisitor {
        fn inline<E: de::Error>(self) -> Result<SecretSource, E> {
            Err(E::custom(INLINE_SECRET))
        }
    }

    impl<'de> Visitor<'de> for SecretVisitor {
        type Value = SecretSource;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("{ file = \"…\" } or { env = \"…\" }")
        }

        fn visit_str<E: de::Error>(self, _: &str) -> Result<SecretSource, E> {
            self.inline()
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<SecretSource, E> {
            self.inline()
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<SecretSource, E> {
            self.inline()
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SecretSource, A::Error> {
            let mut source = None;
            while let Some(key) = map.next_key::<String>()? {
                let value = match key.as_str() {
                    "file" => SecretSource::File(map.next_value()?),
                    "env" => SecretSource::Env(map.next_value()?),
                    other => return Err(de::Error::unknown_field(other, &["file", "env"])),
                };
                if source.replace(value).is_some() {
                    return Err(de::Error::custom("give file or env, not both"));
                }
            }
            source.ok_or_else(|| de::Error::custom("expected { file = \"…\" } or { env = \"…\" }"))
        }
    }

    fn default_listen() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 8080))
    }
    fn default_api_prefix() -> String {
        "/myq-api".into()
    }
    fn default_session_path() -> String {
        "/myq-session".into()
    }
    fn default_scopes() -> Vec<String> {
        vec!["credit".into(), "users".into()]
    }
    fn default_timeout() -> u64 {
        15
    }
    fn default_provider() -> String {
        "external".into()
    }
    fn default_session_minutes() -> u64 {
        10
    }
    fn default_description() -> String {
        "Top-up by the student".into()
    }
    fn default_abandoned_minutes() -> u64 {
        30
    }
    fn default_utc_offset() -> String {
        "+00:00".into()
    }
}
