//! Requests to the gateway must come from the intranet page itself. A browser names where a
//! request comes from (`Origin`, `Sec-Fetch-Site`); a page on any other site that tries to use a
//! student's cookies or token is refused here, before anything else is read.

use axum::http::{HeaderMap, Method};

use crate::error::GatewayError;

/// Refuses a request another site's page made. A request that changes something must name the
/// allowed origin; a read may come without `Origin` (browsers leave it off same-origin GETs), but
/// never with another one, nor marked cross-site.
pub fn check(method: &Method, headers: &HeaderMap, allowed: &str) -> Result<(), GatewayError> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    verdict(
        method == Method::GET || method == Method::HEAD,
        text("origin"),
        text("sec-fetch-site"),
        allowed,
    )
    .map_err(GatewayError::forbidden)
}

/// The rule, without HTTP types: `Err` says why the request is refused.
pub fn verdict(
    is_read: bool,
    origin: Option<&str>,
    fetch_site: Option<&str>,
    allowed: &str,
) -> Result<(), String> {
    if let Some(site) = fetch_site
        && !matches!(site, "same-origin" | "none")
    {
        return Err(format!(
            "Requests from another site are refused (Sec-Fetch-Site: {site})"
        ));
    }
    match origin {
        Some(origin) if origin.trim_end_matches('/') == allowed.trim_end_matches('/') => Ok(()),
        Some(origin) => Err(format!(
            "Requests from {origin} are refused: only {allowed} may call this gateway"
        )),
        None if is_read => Ok(()),
        None => Err(format!(
            "A request that changes something must name its origin; only {allowed} may call this gateway"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::verdict;

    const PORTAL: &str = "https://intranet.example.edu";

    #[test]
    fn only_the_portal_may_call() {
        let cases = [
            // (read?, Origin, Sec-Fetch-Site, allowed?)
            (true, None, None, true),
            (true, None, Some("same-origin"), true),
            (false, Some(PORTAL), Some("same-origin"), true),
            (false, Some("https://intranet.example.edu/"), None, true),
            (false, None, None, false),
            (false, Some("https://evil.example"), None, false),
            (true, Some("https://evil.example"), None, false),
            (true, None, Some("cross-site"), false),
            (false, Some(PORTAL), Some("same-site"), false),
            (false, Some("null"), None, false),
            (
                false,
                Some("https://intranet.example.edu.evil.example"),
                None,
                false,
            ),
        ];
        for (read, origin, site, allowed) in cases {
            assert_eq!(
                verdict(read, origin, site, PORTAL).is_ok(),
                allowed,
                "{read} {origin:?} {site:?}"
            );
        }
    }
}
