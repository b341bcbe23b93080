//! URLs a page could put in `base-url` or `token-url`, hostile ones above all, and what the
//! widget must make of them. One table for the native test (the `url` crate) and the browser
//! test in `tests/urls.rs` (the browser's `URL`), so both parsers are held to the same answers.
//! Test-only: compiled into neither the library nor the bundle.

/// What `Config::read` must make of a URL.
#[derive(Debug)]
pub enum Verdict {
    /// Accepted, as this absolute URL.
    Sends(&'static str),
    /// Refused, with this in the message.
    Refused(&'static str),
}

use Verdict::*;

const HTTPS_PAGE: &str = "https://intranet.example.edu/print/credit.html?x=1#top";
const HTTP_PAGE: &str = "http://intranet.example.edu/print/";
const LOOPBACK_PAGE: &str = "http://127.0.0.1:8080/kiosk/";

const NOT_HTTP: Verdict = Refused("is not an http or https URL");
const CREDENTIALS: Verdict = Refused("user name or password");
const INVALID: Verdict = Refused("is not a valid URL");
/// Refused, for a reason that depends on the parser (see the last cases).
const REFUSED: Verdict = Refused("");

/// (URL, the page it is on, verdict).
pub const CASES: &[(&str, &str, Verdict)] = &[
    // Backslashes are slashes in http(s) URLs: the host ends before them.
    (
        r"http://evil.example\@127.0.0.1/api",
        LOOPBACK_PAGE,
        Refused("'http://evil.example/@127.0.0.1/api' is plain http"),
    ),
    (
        r"http:\\evil.example\api",
        HTTPS_PAGE,
        Refused("'http://evil.example/api' is plain http"),
    ),
    (
        r"\\evil.example\api",
        HTTP_PAGE,
        Refused("'http://evil.example/api' is plain http"),
    ),
    // User info, whichever side of the `@` the loopback host is.
    ("http://127.0.0.1@evil.example/", LOOPBACK_PAGE, CREDENTIALS),
    ("http://evil.example@127.0.0.1/", LOOPBACK_PAGE, CREDENTIALS),
    (
        "https://user:secret@print.example.edu/api",
        HTTPS_PAGE,
        CREDENTIALS,
    ),
    // Empty user info is dropped by the parser: nothing of it is sent.
    (
        "http://:@127.0.0.1/api",
        LOOPBACK_PAGE,
        Sends("http://127.0.0.1/api"),
    ),
    // Tabs and newlines are removed before parsing.
    (
        "http://127.0.0.1\t.evil.example/",
        LOOPBACK_PAGE,
        Refused("'http://127.0.0.1.evil.example/' is plain http"),
    ),
    (
        "http://127.0.0.1\n.evil.example/",
        LOOPBACK_PAGE,
        Refused("'http://127.0.0.1.evil.example/' is plain http"),
    ),
    (
        "http://local\thost/api",
        LOOPBACK_PAGE,
        Sends("http://localhost/api"),
    ),
    ("java\nscript:alert(1)", HTTPS_PAGE, NOT_HTTP),
    // `http:host`: a host on a page of another scheme, a relative path on an http page.
    (
        "http:evil.example/api",
        HTTPS_PAGE,
        Refused("'http://evil.example/api' is plain http"),
    ),
    (
        "http:127.0.0.1/api",
        HTTPS_PAGE,
        Sends("http://127.0.0.1/api"),
    ),
    (
        "http:evil.example/api",
        LOOPBACK_PAGE,
        Sends("http://127.0.0.1:8080/kiosk/evil.example/api"),
    ),
    // Schemes and hosts are case-insensitive.
    (
        "HTTP://127.0.0.1/api",
        LOOPBACK_PAGE,
        Sends("http://127.0.0.1/api"),
    ),
    (
        "HTTP://evil.example/",
        LOOPBACK_PAGE,
        Refused("'http://evil.example/' is plain http"),
    ),
    (
        "HTTPS://Print.Example.EDU/API/",
        HTTPS_PAGE,
        Sends("https://print.example.edu/API"),
    ),
    (
        "http://LOCALHOST:9000/api",
        LOOPBACK_PAGE,
        Sends("http://localhost:9000/api"),
    ),
    // IPv4 loopback in every form the parser normalises to 127.0.0.0/8.
    (
        "http://127.0.0.1:9000/api",
        LOOPBACK_PAGE,
        Sends("http://127.0.0.1:9000/api"),
    ),
    ("http://127.1/", LOOPBACK_PAGE, Sends("http://127.0.0.1")),
    (
        "http://0x7f.0.0.1/api",
        LOOPBACK_PAGE,
        Sends("http://127.0.0.1/api"),
    ),
    ("http://0x7f.1/", LOOPBACK_PAGE, Sends("http://127.0.0.1")),
    (
        "http://0177.0.0.1/",
        LOOPBACK_PAGE,
        Sends("http://127.0.0.1"),
    ),
    (
        "http://2130706433/",
        LOOPBACK_PAGE,
        Sends("http://127.0.0.1"),
    ),
    (
        "http://127.255.255.254/",
        LOOPBACK_PAGE,
        Sends("http://127.255.255.254"),
    ),
    (
        "http://127.0.0.1./api",
        LOOPBACK_PAGE,
        Sends("http://127.0.0.1/api"),
    ),
    (
        "http://１２７.0.0.1/",
        LOOPBACK_PAGE,
        Sends("http://127.0.0.1"),
    ),
    // ... and look-alikes that are not.
    (
        "http://127.0.0.1.evil.example/api",
        LOOPBACK_PAGE,
        Refused("'http://127.0.0.1.evil.example/api' is plain http"),
    ),
    (
        "http://128.0.0.1/",
        LOOPBACK_PAGE,
        Refused("'http://128.0.0.1/' is plain http"),
    ),
    ("http://127.0.0.1.1/", LOOPBACK_PAGE, INVALID),
    // IPv6: `::1` only; an IPv4-mapped loopback is refused (see `is_loopback`).
    (
        "http://[::1]:1/api",
        LOOPBACK_PAGE,
        Sends("http://[::1]:1/api"),
    ),
    (
        "http://[0:0:0:0:0:0:0:1]/api",
        LOOPBACK_PAGE,
        Sends("http://[::1]/api"),
    ),
    (
        "http://[::2]/",
        LOOPBACK_PAGE,
        Refused("'http://[::2]/' is plain http"),
    ),
    (
        "http://[::ffff:127.0.0.1]/",
        LOOPBACK_PAGE,
        Refused("'http://[::ffff:7f00:1]/' is plain http"),
    ),
    ("http://[::1/", LOOPBACK_PAGE, INVALID),
    // `localhost` exactly (see `is_loopback`).
    (
        "http://localhost/api",
        LOOPBACK_PAGE,
        Sends("http://localhost/api"),
    ),
    (
        "http://ⓛocalhost/api",
        LOOPBACK_PAGE,
        Sends("http://localhost/api"),
    ),
    (
        "http://app.localhost/api",
        LOOPBACK_PAGE,
        Refused("'http://app.localhost/api' is plain http"),
    ),
    (
        "http://localhost./api",
        LOOPBACK_PAGE,
        Refused("'http://localhost./api' is plain http"),
    ),
    (
        "http://localhost.evil.example/",
        LOOPBACK_PAGE,
        Refused("'http://localhost.evil.example/' is plain http"),
    ),
    // Percent-encoded hosts are decoded first.
    (
        "http://%31%32%37.0.0.1/",
        LOOPBACK_PAGE,
        Sends("http://127.0.0.1"),
    ),
    (
        "http://local%68ost/api",
        LOOPBACK_PAGE,
        Sends("http://localhost/api"),
    ),
    (
        "http://evil%2eexample/",
        LOOPBACK_PAGE,
        Refused("'http://evil.example/' is plain http"),
    ),
    // Other schemes.
    ("javascript:alert(1)", HTTPS_PAGE, NOT_HTTP),
    ("javascript:alert(1)://", HTTPS_PAGE, NOT_HTTP),
    ("data:text/plain,x", HTTPS_PAGE, NOT_HTTP),
    ("ftp://x/api", HTTPS_PAGE, NOT_HTTP),
    (
        "blob:https://intranet.example.edu/1b3c",
        HTTPS_PAGE,
        NOT_HTTP,
    ),
    ("file:///etc/passwd", HTTPS_PAGE, NOT_HTTP),
    ("ws://127.0.0.1/api", LOOPBACK_PAGE, NOT_HTTP),
    // Scheme-relative: judged as the page's scheme makes them.
    (
        "//evil.example/api",
        HTTPS_PAGE,
        Sends("https://evil.example/api"),
    ),
    (
        "//evil.example/api",
        HTTP_PAGE,
        Refused("'http://evil.example/api' is plain http"),
    ),
    (
        "//localhost:9000/api",
        LOOPBACK_PAGE,
        Sends("http://localhost:9000/api"),
    ),
    // Relative to a page with a query and a fragment.
    (
        "/myq/api/",
        HTTPS_PAGE,
        Sends("https://intranet.example.edu/myq/api"),
    ),
    (
        "myq-token",
        HTTPS_PAGE,
        Sends("https://intranet.example.edu/print/myq-token"),
    ),
    (
        "../api/",
        HTTPS_PAGE,
        Sends("https://intranet.example.edu/api"),
    ),
    (
        "?token=1",
        HTTPS_PAGE,
        Sends("https://intranet.example.edu/print/credit.html?token=1"),
    ),
    (
        "#api",
        HTTPS_PAGE,
        Sends("https://intranet.example.edu/print/credit.html?x=1#api"),
    ),
    (
        "/api",
        HTTP_PAGE,
        Refused("'http://intranet.example.edu/api' is plain http"),
    ),
    (
        "api",
        LOOPBACK_PAGE,
        Sends("http://127.0.0.1:8080/kiosk/api"),
    ),
    // A page without a URL resolves nothing.
    ("/api", "", INVALID),
    (
        "https://print.example.edu/api",
        "",
        Sends("https://print.example.edu/api"),
    ),
    // Not URLs at all.
    ("http://", HTTPS_PAGE, INVALID),
    // Chromium, unlike the standard and the `url` crate, takes a space in a host (as `%20`).
    // Such a host is never an IP address nor `localhost`, so plain http to it is refused
    // either way; over https it would only fail to resolve.
    ("http://127.0.0.1 .evil.example/api", LOOPBACK_PAGE, REFUSED),
    ("http://127.0.0.1%20/api", LOOPBACK_PAGE, REFUSED),
    ("http://localhost /api", LOOPBACK_PAGE, REFUSED),
];

/// The cases `check` (URL and page to the accepted URL or the error message) gets wrong.
pub fn misses(check: impl Fn(&str, &str) -> Result<String, String>) -> Vec<String> {
    CASES
        .iter()
        .filter_map(|(url, page, verdict)| {
            let got = check(url, page);
            let right = match (verdict, &got) {
                (Sends(want), Ok(sent)) => sent == want,
                (Refused(why), Err(message)) => message.contains(why),
                _ => false,
            };
            (!right).then(|| format!("{url:?} on {page:?}: want {verdict:?}, got {got:?}"))
        })
        .collect()
}
