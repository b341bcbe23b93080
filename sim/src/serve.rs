//! The accept loop. axum's own `serve` cannot close a connection without answering, which the
//! `drop` fault needs, so each connection here carries a [`ConnectionKill`] switch.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
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

/// The wait after an accept error, doubling from 5 ms to 1 s and starting over once a
/// connection is accepted. Out of file descriptors, the listener stays ready: accepting again at
/// once would spin at full CPU until a descriptor is freed.
#[derive(Debug)]
struct Backoff(Duration);

impl Backoff {
    const FIRST: Duration = Duration::from_millis(5);
    const LONGEST: Duration = Duration::from_secs(1);

    fn new() -> Backoff {
        Backoff(Self::FIRST)
    }

    fn next(&mut self) -> Duration {
        let wait = self.0;
        self.0 = (wait * 2).min(Self::LONGEST);
        wait
    }
}

/// Serves `app` on `listener` until `shutdown` completes. A client gets `header_timeout` to
/// send each request's headers (and to start the next one on a kept-alive connection).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut shutdown = std::pin::pin!(shutdown);
    let mut backoff = Backoff::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => return,
        };
        let stream = match accepted {
            Ok((stream, _)) => {
                backoff = Backoff::new();
                stream
            }
            // Out of file descriptors and the like: keep serving the connections we have, and
            // try again once some may have closed.
            Err(_) => {
                tokio::select! {
                    () = tokio::time::sleep(backoff.next()) => continue,
                    () = &mut shutdown => return,
                }
            }
        };
        let kill = ConnectionKill(Arc::new(Notify::new()));
        let app = app.clone();
        let switch = kill.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(switch.clone());
            app.clone().oneshot(request)
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        tokio::spawn(async move {
            tokio::select! {
                _ = connection => {}
                () = kill.0.notified() => {}
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_up_to_a_second() {
        let mut backoff = Backoff::new();
        let waits: Vec<u128> = (0..10).map(|_| backoff.next().as_millis()).collect();
        assert_eq!(waits, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
    }
}
