//! MyQ X as the gateway reaches it: the workspace's one MyQ X client (`myq-api`) over reqwest,
//! with the gateway's own `client_credentials` token. The token is shared by every request,
//! renewed before it expires (one renewal at a time), and a 401 renews it once and retries once:
//! all of that is the client's token cache, the same one the widget uses.

use std::path::Path;
use std::time::Duration;

use myq_api::{ApiError, ClientCredentials, Failure, MyqClient, Reqwest};

use crate::error::GatewayError;

/// The gateway's client of MyQ X.
pub type Upstream = MyqClient<Reqwest, ClientCredentials<Reqwest>>;

/// How the gateway reaches MyQ X.
#[derive(Clone, Debug)]
pub struct UpstreamOptions<'a> {
    /// MyQ X's API root, `/api` included.
    pub url: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub scopes: &'a [String],
    /// A PEM file of the CA that signed MyQ X's certificate, trusted beside the system's roots
    /// (MyQ X servers often use their own CA). There is no switch to trust any certificate.
    pub ca_file: Option<&'a Path>,
    pub timeout: Duration,
}

/// An HTTP client that verifies TLS against the system's roots and `ca_file`, with time limits
/// on connecting and on every request.
pub fn http_client(ca_file: Option<&Path>, timeout: Duration) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .timeout(timeout);
    if let Some(path) = ca_file {
        let pem = std::fs::read(path)
            .map_err(|err| format!("the CA file {} cannot be read: {err}", path.display()))?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|err| {
            format!(
                "the CA file {} holds no PEM certificate: {err}",
                path.display()
            )
        })?;
        if certificates.is_empty() {
            return Err(format!(
                "the CA file {} holds no PEM certificate",
                path.display()
            ));
        }
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    builder
        .build()
        .map_err(|err| format!("the HTTP client cannot be set up: {err}"))
}

/// The client of MyQ X, sharing `http` (its connection pool and TLS set-up).
pub fn upstream(http: reqwest::Client, options: &UpstreamOptions<'_>) -> Upstream {
    let transport = Reqwest(http);
    let timeout_ms = u32::try_from(options.timeout.as_millis()).unwrap_or(u32::MAX);
    let tokens = ClientCredentials {
        transport: transport.clone(),
        base: options.url.to_owned(),
        client_id: options.client_id.to_owned(),
        client_secret: options.client_secret.to_owned(),
        scope: options.scopes.join(" "),
        timeout_ms,
    };
    MyqClient::new(options.url, transport, tokens, timeout_ms)
}

/// How a failed call to MyQ X is answered to the widget. MyQ's own refusals of the request
/// (a disabled provider, an amount it will not take) pass through with their status and
/// message, which the widget knows; MyQ X refusing the gateway's own credentials, or not
/// answering, is the gateway's problem: 502 or 504, with MyQ's detail in the log only.
impl From<ApiError> for GatewayError {
    fn from(err: ApiError) -> Self {
        match &err.failure {
            Failure::Refused {
                status, message, ..
            } if (400..500).contains(status) && !matches!(status, 401 | 403) => {
                let status = axum::http::StatusCode::from_u16(*status)
                    .unwrap_or(axum::http::StatusCode::BAD_REQUEST);
                GatewayError::new(status, message.clone())
            }
            Failure::Timeout => {
                tracing::warn!(error = %err, "MyQ X did not answer in time");
                GatewayError::new(
                    axum::http::StatusCode::GATEWAY_TIMEOUT,
                    "MyQ X did not answer in time",
                )
            }
            _ => {
                tracing::error!(error = %err, "MyQ X call failed");
                GatewayError::bad_gateway("MyQ X cannot be reached right now; try again shortly")
            }
        }
    }
}
