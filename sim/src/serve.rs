//! The accept loop. axum's own `serve` cannot close a connection without answering, which the
//! `drop` fault needs, so each connection here carries a [`ConnectionKill`] switch.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower::ServiceExt;

/// Closes the connection a request came on, without an answer.
#[derive(Clone)]
pub struct ConnectionKill(Arc<Notify>);

impl ConnectionKill {
    pub fn kill(&self) {
        self.0.notify_one();
    }
}

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(listener: TcpListener, app: Router, shutdown: impl Future<Output = ()>) {
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: keep serving the connections we have.
                Err(_) => continue,
            },
            () = &mut shutdown => return,
        };
        let kill = ConnectionKill(Arc::new(Notify::new()));
        let app = app.clone();
        let switch = kill.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(switch.clone());
            app.clone().oneshot(request)
        });
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                () = kill.0.notified() => {}
            }
        });
    }
}
