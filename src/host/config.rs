//! The element's attributes, checked into a [`Config`].

use std::fmt;

use crate::api::{Money, UserId};
use crate::topup::{AmountRules, MAX_HOST_DESCRIPTION_CHARS, Who, parse_decimal};

/// What the attributes say, checked. Built anew whenever an attribute changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// MyQ X API root (or the host's same-origin proxy of it), absolute, no trailing slash.
    pub base_url: String,
    /// The host's token endpoint, absolute; `None` when the page sets `tokenProvider`.
    pub token_url: Option<String>,
    /// Whose credit; `None` only at a desk, where the operator finds the user.
    pub who: Option<Who>,
    /// The help desk (`desk`): find a user, credit cash, print a receipt. Read through
    /// [`Config::desk`].
    desk: bool,
    /// The institution named on a desk's receipt.
    pub institution: Option<String>,
    /// The operator named on a desk's receipt (the host page knows who is signed in).
    pub operator: Option<String>,
    /// Recharge provider reference.
    pub provider: String,
    /// Preset amounts, each within the rules.
    pub amounts: Vec<Money>,
    /// Bounds of a typed amount.
    pub rules: AmountRules,
    /// ISO 4217 code, for display only.
    pub currency: Option<String>,
    /// BCP 47 tag; `None`: the page's language.
    pub locale: Option<String>,
    /// The payment description MyQ X keeps (the intent's key is added to it).
    pub description: String,
    /// How long the page's `tokenProvider` and `approve` may take, each call.
    pub callback_timeout_ms: u32,
}

/// Preset amounts when the `amounts` attribute is absent.
const DEFAULT_AMOUNTS: [Money; 3] = [Money(5_000), Money(10_000), Money(20_000)];

/// `callback-timeout` when absent: long enough for a student to pay in the host's payment
/// step, short enough that a promise that never settles frees the widget.
const DEFAULT_CALLBACK_TIMEOUT_S: u32 = 300;

/// The longest `callback-timeout`: a day.
const MAX_CALLBACK_TIMEOUT_S: u32 = 86_400;

/// The largest user id a page passes on exactly: events carry ids as JavaScript numbers.
const MAX_USER_ID: u64 = (1 << 53) - 1;

/// An attribute the widget cannot work with, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub attribute: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.attribute, self.message)
    }
}

fn invalid(attribute: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        attribute,
        message: message.into(),
    }
}

/// The provider the REST recharge works with.
const DEFAULT_PROVIDER: &str = "external";

impl Config {
    /// Whether this is a help desk. A build without the `desk` feature knows it never is, so
    /// the desk's branches of the shared flows drop out of the student's bundle.
    pub fn desk(&self) -> bool {
        cfg!(feature = "desk") && self.desk
    }

    /// Reads the attributes through `attribute`; relative URLs resolve against `page_url`.
    pub fn read(
        attribute: impl Fn(&str) -> Option<String>,
        page_url: &str,
    ) -> Result<Config, ConfigError> {
        let value = |name: &str| {
            attribute(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let base_url = value("base-url").ok_or_else(|| invalid("base-url", "is required"))?;
        let base_url = checked_url("base-url", &base_url, page_url)?;
        let token_url = value("token-url")
            .map(|url| checked_url("token-url", &url, page_url))
            .transpose()?;
        let desk = attribute("desk").is_some();
        if desk && !cfg!(feature = "desk") {
            return Err(invalid(
                "desk",
                "this build of the widget has no help desk: a desk's page loads \
                 myq-topup.js?desk",
            ));
        }
        let who = match (value("user-id"), value("username")) {
            (Some(_), Some(_)) => {
                return Err(invalid("user-id", "set user-id or username, not both"));
            }
            (Some(id), None) => Some(Who::Id(UserId(
                id.parse()
                    .ok()
                    .filter(|&id| (1..=MAX_USER_ID).contains(&id))
                    .ok_or_else(|| {
                        invalid(
                            "user-id",
                            format!("'{id}' is not a user id (a whole number from 1 to 2^53 - 1)"),
                        )
                    })?,
            ))),
            (None, Some(name)) => Some(Who::Username(name)),
            (None, None) if desk => None,
            (None, None) => return Err(invalid("username", "set username or user-id")),
        };
        let [institution, operator] = ["institution", "operator"].map(&value);
        let provider = value("provider").unwrap_or_else(|| DEFAULT_PROVIDER.to_owned());
        if !provider
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(invalid(
                "provider",
                format!("'{provider}' is not a provider reference"),
            ));
        }
        let rules = read_rules(&value)?;
        let amounts = match value("amounts") {
            Some(list) => list
                .split([',', ';'])
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| {
                    let amount =
                        parse_decimal(a).map_err(|e| invalid("amounts", format!("'{a}': {e}")))?;
                    rules
                        .check(amount)
                        .map_err(|e| invalid("amounts", format!("'{a}': {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => DEFAULT_AMOUNTS
                .into_iter()
                .filter(|a| rules.check(*a).is_ok())
                .collect(),
        };
        let currency = value("currency").map(|c| c.to_ascii_uppercase());
        if let Some(code) = currency
            .as_deref()
            .filter(|c| c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_alphabetic()))
        {
            return Err(invalid(
                "currency",
                format!("'{code}' is not an ISO 4217 code like CZK"),
            ));
        }
        let locale = value("locale");
        if let Some(tag) = locale.as_deref().filter(|tag| !is_language_tag(tag)) {
            return Err(invalid(
                "locale",
                format!("'{tag}' is not a language tag like cs or en-GB"),
            ));
        }
        let description = attribute("description").unwrap_or_default();
        if description.chars().count() > MAX_HOST_DESCRIPTION_CHARS {
            return Err(invalid(
                "description",
                format!(
                    "is longer than {MAX_HOST_DESCRIPTION_CHARS} characters (MyQ X keeps 255, \
                     the widget's payment key takes the rest)"
                ),
            ));
        }
        let callback_timeout_s = match value("callback-timeout") {
            None => DEFAULT_CALLBACK_TIMEOUT_S,
            Some(text) => text
                .parse()
                .ok()
                .filter(|s| (1..=MAX_CALLBACK_TIMEOUT_S).contains(s))
                .ok_or_else(|| {
                    invalid(
                        "callback-timeout",
                        format!("'{text}' is not whole seconds from 1 to {MAX_CALLBACK_TIMEOUT_S}"),
                    )
                })?,
        };
        Ok(Config {
            base_url,
            token_url,
            who,
            desk,
            institution,
            operator,
            provider,
            amounts,
            rules,
            currency,
            locale,
            description,
            callback_timeout_ms: callback_timeout_s * 1000,
        })
    }
}

/// `min`, `max` and `step`: positive, `min` ≤ `max`.
fn read_rules(value: &impl Fn(&str) -> Option<String>) -> Result<AmountRules, ConfigError> {
    let positive = |name: &'static str| -> Result<Option<Money>, ConfigError> {
        let Some(text) = value(name) else {
            return Ok(None);
        };
        match parse_decimal(&text) {
            Ok(amount) if amount.cents() > 0 => Ok(Some(amount)),
            Ok(_) => Err(invalid(name, format!("'{text}' must be more than zero"))),
            Err(err) => Err(invalid(name, format!("'{text}': {err}"))),
        }
    };
    let defaults = AmountRules::default();
    let rules = AmountRules {
        min: positive("min")?.unwrap_or(defaults.min),
        max: positive("max")?,
        step: positive("step")?,
    };
    if let Some(max) = rules.max.filter(|max| *max < rules.min) {
        return Err(invalid("max", format!("{max} is below min {}", rules.min)));
    }
    Ok(rules)
}

/// A BCP 47 tag's shape: letters and digits in subtags of 1 to 8, the first alphabetic.
fn is_language_tag(tag: &str) -> bool {
    let mut subtags = tag.split(['-', '_']);
    let first = subtags.next().unwrap_or_default();
    (2..=8).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Resolves `url` against the page and refuses what would send the token in clear text or
/// anywhere but the URL's host: only `http` and `https`, plain `http` only to loopback, no user
/// info. Judged on the parts the browser's own parser finds, never on the text.
///
/// Scheme-relative URLs (`//host/api`) are not refused for their form: they resolve to the
/// page's scheme and are judged as that, like any other relative URL. `https` to any host is
/// the page author's choice, as it is when spelled out.
fn checked_url(attribute: &'static str, url: &str, page_url: &str) -> Result<String, ConfigError> {
    let parsed = parse_url(url, page_url)
        .ok_or_else(|| invalid(attribute, format!("'{url}' is not a valid URL")))?;
    if !matches!(parsed.scheme.as_str(), "http" | "https") {
        return Err(invalid(
            attribute,
            format!("'{url}' is not an http or https URL"),
        ));
    }
    // The token is the only credential this client sends, and `name@host` is how a host is
    // disguised. The URL is not echoed: it would repeat a password.
    if parsed.credentials {
        return Err(invalid(
            attribute,
            "has a user name or password in it: leave them out, the widget sends its token",
        ));
    }
    if parsed.scheme == "http" && !is_loopback(&parsed.host) {
        return Err(invalid(
            attribute,
            format!(
                "'{}' is plain http: use https (plain http only on this machine)",
                parsed.href
            ),
        ));
    }
    Ok(parsed.href.trim_end_matches('/').to_owned())
}

/// The parts of a URL that decide where a request goes, as the WHATWG URL parser gives them.
struct ParsedUrl {
    /// Lower case, without the colon.
    scheme: String,
    /// Normalised: lower case, IPv4 in dotted decimal, IPv6 compressed in brackets.
    host: String,
    /// A user name or password is present.
    credentials: bool,
    href: String,
}

/// `url` resolved against `base` by the browser's `URL`; `None` when it is no URL. A `base`
/// that is no URL (a page without one) is ignored, so only absolute URLs parse.
#[cfg(target_arch = "wasm32")]
fn parse_url(url: &str, base: &str) -> Option<ParsedUrl> {
    use web_sys::Url;
    let parsed = if Url::new(base).is_ok() {
        Url::new_with_base(url, base)
    } else {
        Url::new(url)
    }
    .ok()?;
    Some(ParsedUrl {
        scheme: parsed.protocol().trim_end_matches(':').to_owned(),
        host: parsed.hostname(),
        credentials: !parsed.username().is_empty() || !parsed.password().is_empty(),
        href: parsed.href(),
    })
}

/// The same natively, by the `url` crate, which implements the same standard.
#[cfg(not(target_arch = "wasm32"))]
fn parse_url(url: &str, base: &str) -> Option<ParsedUrl> {
    let base = url::Url::parse(base).ok();
    let parsed = url::Url::options()
        .base_url(base.as_ref())
        .parse(url)
        .ok()?;
    Some(ParsedUrl {
        scheme: parsed.scheme().to_owned(),
        host: parsed.host_str().unwrap_or_default().to_owned(),
        credentials: !parsed.username().is_empty() || parsed.password().is_some(),
        href: parsed.into(),
    })
}

/// Whether a normalised host is this machine: `localhost`, 127.0.0.0/8 or `[::1]`.
///
/// `localhost` exactly (not `localhost.`, not `*.localhost`): browsers that follow "let
/// localhost be localhost" keep `*.localhost` on the machine, but others ask DNS for it, and this widget runs in whatever
/// browser a kiosk has. An IPv4-mapped `[::ffff:127.0.0.1]` is refused too: it is loopback only
/// if the OS maps it back to IPv4, and browsers (Chromium's `IsLoopback`) do not count it.
///
/// `host` is the parser's serialisation, which is canonical: a host whose last label is a
/// number is an IPv4 address, written as four decimal numbers (`127.1` and `0x7f.0.0.1` come out
/// as `127.0.0.1`), and IPv6 is compressed and lower-case (`[::1]`). So reading the canonical
/// text is exact, and keeps the standard library's address parsers (3 KB) out of the bundle.
fn is_loopback(host: &str) -> bool {
    let ipv4 = !host.is_empty() && host.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    host == "localhost" || host == "[::1]" || (ipv4 && host.starts_with("127."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::url_cases;

    fn read(attributes: &[(&str, &str)], page: &str) -> Result<Config, ConfigError> {
        Config::read(
            |name| {
                attributes
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            },
            page,
        )
    }

    #[test]
    fn resolves_relative_urls_against_the_page() {
        let page = "https://intranet.example.edu/print/credit.html?x=1";
        let config = read(
            &[
                ("base-url", "/myq/api/"),
                ("token-url", "myq-token"),
                ("username", "jnovak"),
            ],
            page,
        )
        .unwrap();
        assert_eq!(config.base_url, "https://intranet.example.edu/myq/api");
        assert_eq!(
            config.token_url.as_deref(),
            Some("https://intranet.example.edu/print/myq-token")
        );
        assert_eq!(config.who, Some(Who::Username("jnovak".into())));
        assert_eq!(config.provider, "external");
    }

    #[test]
    fn allows_plain_http_on_loopback_only() {
        let page = "http://127.0.0.1:8080/";
        for base in [
            "http://127.0.0.1:9000/api",
            "http://localhost/api",
            "http://[::1]:1/api",
            "/api",
        ] {
            assert!(
                read(&[("base-url", base), ("user-id", "7")], page).is_ok(),
                "{base}"
            );
        }
        let err = read(
            &[
                ("base-url", "http://print.example.edu/api"),
                ("user-id", "7"),
            ],
            page,
        )
        .unwrap_err();
        assert_eq!(err.attribute, "base-url");
        assert!(err.message.contains("plain http"), "{}", err.message);
        let err = read(
            &[("base-url", "/api"), ("user-id", "7")],
            "http://intranet.example.edu/",
        )
        .unwrap_err();
        assert_eq!(err.attribute, "base-url");
        let err = read(
            &[
                ("base-url", "http://127.0.0.1.evil.example/api"),
                ("user-id", "7"),
            ],
            page,
        )
        .unwrap_err();
        assert_eq!(err.attribute, "base-url");
    }

    #[test]
    fn judges_urls_as_the_browser_parses_them() {
        let misses = url_cases::misses(|url, page| {
            read(&[("base-url", url), ("user-id", "1")], page)
                .map(|config| config.base_url)
                .map_err(|err| err.to_string())
        });
        assert!(misses.is_empty(), "{}", misses.join("\n"));
    }

    #[test]
    fn judges_token_url_alike_and_never_echoes_a_password() {
        let page = "http://127.0.0.1:8080/";
        let base = ("base-url", "/api");
        for (token_url, why) in [
            (r"http://evil.example\@127.0.0.1/token", "plain http"),
            (
                "http://jnovak:secret@127.0.0.1/token",
                "user name or password",
            ),
            ("data:text/plain,x", "not an http or https URL"),
        ] {
            let err = read(&[base, ("token-url", token_url), ("user-id", "1")], page).unwrap_err();
            assert_eq!(err.attribute, "token-url", "{token_url}");
            assert!(err.message.contains(why), "{token_url}: {}", err.message);
            assert!(!err.message.contains("secret"), "{}", err.message);
        }
    }

    #[test]
    fn needs_exactly_one_way_to_name_the_user() {
        let page = "https://intranet.example.edu/";
        let base = ("base-url", "/api");
        assert_eq!(read(&[base], page).unwrap_err().attribute, "username");
        assert_eq!(
            read(&[base, ("user-id", "1"), ("username", "a")], page)
                .unwrap_err()
                .attribute,
            "user-id"
        );
        for bad in ["0", "-3", "abc", "1.5", "9007199254740992"] {
            assert_eq!(
                read(&[base, ("user-id", bad)], page).unwrap_err().attribute,
                "user-id"
            );
        }
        assert_eq!(
            read(&[base, ("user-id", " 42 ")], page).unwrap().who,
            Some(Who::Id(UserId(42)))
        );
        assert_eq!(
            read(&[base, ("user-id", "9007199254740991")], page)
                .unwrap()
                .who,
            Some(Who::Id(UserId(9_007_199_254_740_991)))
        );
    }

    #[test]
    fn a_desk_needs_no_user_and_names_its_institution_and_operator() {
        let page = "https://intranet.example.edu/";
        let base = ("base-url", "/api");
        let desk = read(
            &[
                base,
                ("desk", ""),
                ("institution", " Univerzita Example "),
                ("operator", "Eva Dvořáková"),
            ],
            page,
        )
        .unwrap();
        assert!(desk.desk());
        assert_eq!(desk.who, None, "the operator finds the user");
        assert_eq!(desk.institution.as_deref(), Some("Univerzita Example"));
        assert_eq!(desk.operator.as_deref(), Some("Eva Dvořáková"));
        let student = read(&[base, ("username", "jnovak")], page).unwrap();
        assert!(!student.desk());
        assert_eq!((student.institution, student.operator), (None, None));
        let fixed = read(&[base, ("desk", "desk"), ("user-id", "7")], page).unwrap();
        assert_eq!(
            fixed.who,
            Some(Who::Id(UserId(7))),
            "a desk may start at a user"
        );
    }

    #[test]
    fn reads_amounts_bounds_and_display_settings() {
        let page = "https://intranet.example.edu/";
        let config = read(
            &[
                ("base-url", "/api"),
                ("user-id", "1"),
                ("amounts", "50, 100,200.50"),
                ("min", "20"),
                ("max", "2000"),
                ("step", "0.50"),
                ("currency", "czk"),
                ("locale", "cs-CZ"),
                ("description", "Kiosk"),
            ],
            page,
        )
        .unwrap();
        assert_eq!(config.amounts, [Money(5_000), Money(10_000), Money(20_050)]);
        assert_eq!(
            config.rules,
            AmountRules {
                min: Money(2_000),
                max: Some(Money(200_000)),
                step: Some(Money(50))
            }
        );
        assert_eq!(
            (config.currency.as_deref(), config.locale.as_deref()),
            (Some("CZK"), Some("cs-CZ"))
        );
        assert_eq!(config.description, "Kiosk");
        assert_eq!(
            config.callback_timeout_ms,
            DEFAULT_CALLBACK_TIMEOUT_S * 1000
        );
        let mut attributes = vec![("base-url", "/api"), ("user-id", "1")];
        attributes.push(("callback-timeout", "2"));
        assert_eq!(read(&attributes, page).unwrap().callback_timeout_ms, 2_000);
        let longest = "d".repeat(MAX_HOST_DESCRIPTION_CHARS);
        attributes.push(("description", &longest));
        assert!(read(&attributes, page).is_ok());
        let too_long = format!("{longest}d");
        attributes.pop();
        attributes.push(("description", &too_long));
        assert_eq!(
            read(&attributes, page).unwrap_err().attribute,
            "description"
        );

        let defaults = read(
            &[("base-url", "/api"), ("user-id", "1"), ("max", "150")],
            page,
        )
        .unwrap();
        assert_eq!(
            defaults.amounts,
            [Money(5_000), Money(10_000)],
            "presets above max are left out"
        );
        assert_eq!(defaults.rules.min, Money(1));
    }

    #[test]
    fn refuses_bad_amount_attributes_naming_them() {
        let page = "https://intranet.example.edu/";
        let base = [("base-url", "/api"), ("user-id", "1")];
        for (attribute, value) in [
            ("amounts", "50,abc"),
            ("amounts", "0"),
            ("min", "-5"),
            ("max", "x"),
            ("step", "0"),
            ("currency", "Kč"),
            ("locale", "c"),
            ("locale", "en GB"),
            ("amounts", "10.001"),
            ("callback-timeout", "0"),
            ("callback-timeout", "1.5"),
            ("callback-timeout", "86401"),
        ] {
            let mut attributes = base.to_vec();
            attributes.push((attribute, value));
            assert_eq!(
                read(&attributes, page).unwrap_err().attribute,
                attribute,
                "{attribute}={value}"
            );
        }
        let mut attributes = base.to_vec();
        attributes.extend([("min", "100"), ("max", "50")]);
        assert_eq!(read(&attributes, page).unwrap_err().attribute, "max");
        let mut attributes = base.to_vec();
        attributes.extend([("min", "100"), ("amounts", "50")]);
        let err = read(&attributes, page).unwrap_err();
        assert_eq!(
            err.to_string(),
            "amounts: '50': the amount must be at least 100.00"
        );
    }

    #[test]
    fn refuses_odd_urls_and_providers() {
        let page = "https://intranet.example.edu/";
        // Scheme-relative `//evil.example/api` is https here, so allowed: see `checked_url`.
        for bad in ["ftp://x/api", "javascript:alert(1)://"] {
            assert!(
                read(&[("base-url", bad), ("user-id", "1")], page).is_err(),
                "{bad}"
            );
        }
        let err = read(
            &[("base-url", "/api"), ("user-id", "1"), ("provider", "a/b")],
            page,
        );
        assert_eq!(err.unwrap_err().attribute, "provider");
    }
}
