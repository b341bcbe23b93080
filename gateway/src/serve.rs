//! Starting the gateway: from a checked configuration to a listening server with its
//! reconciler, stopped on Ctrl-C or SIGTERM (or by dropping the handle, in tests).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{HeaderName, HeaderValue, header};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower::Layer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app::App;
use crate::audit::Audit;
use crate::billing::{BillingEndpoint, BillingKey};
use crate::config::Config;
use crate::identity::Authenticator;
use crate::ledger::Ledger;
use crate::session::SessionKeys;
use crate::upstream::{UpstreamOptions, http_client, upstream};
use crate::{reconcile, routes};

/// Where `static_dir` is served: the widget's public URL (Trunk.toml's `public_url`), where its
/// pages load `myq-topup.js` from.
pub const STATIC_PATH: &str = "/myq-topup";

/// A running gateway.
pub struct Running {
    pub addr: SocketAddr,
    pub app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<()>,
    reconciler: JoinHandle<()>,
}

impl Running {
    /// `http://addr`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, finishes the requests under way, and stops the reconciler.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.server).await;
        self.reconciler.abort();
    }
}

/// Sets everything up from `config` and starts serving. Any failure is a message for the
/// person who runs the gateway.
pub async fn start(config: Config) -> Result<Running, String> {
    let app = Arc::new(build(config).await?);
    let listener = TcpListener::bind(app.config.listen)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", app.config.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|err| format!("cannot read the listening address: {err}"))?;
    let router = router(app.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(listener, service)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        if let Err(err) = result {
            tracing::error!(error = %err, "the server stopped");
        }
    });
    let reconciler = tokio::spawn(reconcile::run(app.clone()));
    tracing::info!(%addr, "myq-gateway listening");
    Ok(Running {
        addr,
        app,
        stop: Some(stop),
        server,
        reconciler,
    })
}

/// The app from its configuration: MyQ X's client, the ledger (migrated), the keys.
pub async fn build(config: Config) -> Result<App, String> {
    let http = http_client(config.myq.ca_file.as_deref(), config.myq.timeout)?;
    let upstream = upstream(
        http.clone(),
        &UpstreamOptions {
            url: config.myq.url.as_str(),
            client_id: &config.myq.client_id,
            client_secret: config.myq.client_secret.expose(),
            scopes: &config.myq.scopes,
            ca_file: config.myq.ca_file.as_deref(),
            timeout: config.myq.timeout,
        },
    );
    let ledger = Ledger::connect(&config.database_url).await.map_err(|err| {
        format!(
            "the ledger at {} cannot be opened: {err}",
            config.database_url
        )
    })?;
    let authenticator =
        Authenticator::new(&config.identity).map_err(|err| format!("identity: {err}"))?;
    let sessions = SessionKeys::new(&config.session.key, config.session.lifetime);
    let billing = BillingEndpoint::new(
        http,
        config.billing.url.as_str(),
        BillingKey::new(config.billing.key.expose().as_bytes()),
        config.billing.timeout,
    )?;
    let audit = Audit::open(&config.audit).map_err(|err| format!("the audit log: {err}"))?;
    Ok(App::new(
        config,
        upstream,
        ledger,
        authenticator,
        sessions,
        Arc::new(billing),
        audit,
    ))
}

/// The routes with the headers every answer gets, which keep answers out of frames and other
/// sites' reach. (The API's body limit is in `routes.rs`, so its refusal is MyQ's shape.)
pub fn router(app: Arc<App>) -> axum::Router {
    let static_dir = app.config.static_dir.clone();
    let mut router = routes::router(app);
    if let Some(dir) = static_dir {
        // The widget's bundle (and the portal page in it), from the same origin as the API,
        // under the path its pages load it from. `cargo xtask` writes each file's `.br` and
        // `.gz` beside it (zopfli's gzip is smaller than any on-the-fly one): a browser gets the
        // best form it accepts, a file without forms goes as it is, and caches keep the forms
        // apart by the request's Accept-Encoding.
        let bundle = SetResponseHeaderLayer::if_not_present(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        )
        .layer(ServeDir::new(dir).precompressed_br().precompressed_gzip());
        router = router.nest_service(STATIC_PATH, bundle);
    }
    router = router.fallback(routes::not_found);
    let headers = [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
        ("cross-origin-resource-policy", "same-origin"),
        (
            "content-security-policy",
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-ancestors 'none'",
        ),
    ];
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    router
}
