//! myq-sim: a stand-in MyQ X server, faithful to the credit recharge API.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let sim = myq_sim::start(myq_sim::Options::default()).await?;
//! println!("MyQ X API at {}/api", sim.url());
//! sim.stop().await;
//! # Ok(()) }
//! ```

pub mod billing;
pub mod control;
pub mod data;
pub mod error;
pub mod http;
pub mod money;
pub mod myq;
pub mod serve;
pub mod sso;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::net::TcpListener;

use billing::Billing;
use control::{Fault, QueuedFault};
use data::{ApiClient, SimData};
use myq::ServerState;

/// How a simulator runs.
#[derive(Clone, Debug)]
pub struct Options {
    pub data: SimData,
    pub bind: SocketAddr,
    pub token_lifetime: Duration,
    /// Serve the control API under `/_sim`.
    pub control: bool,
    /// Serve `/demo/token`, which mints tokens for the first API client.
    pub demo_token: bool,
    /// Serve these built widget files under `/myq-topup/`.
    pub www: Option<PathBuf>,
    /// Origins that may call the simulator from a browser (CORS).
    pub allow_origins: Vec<String>,
    /// Leave out the line per request.
    pub quiet: bool,
    /// How long a client may take to send a request's headers; an idle kept-alive connection
    /// is closed after it too.
    pub header_timeout: Duration,
    /// How long a client may take to send a whole request body before it is answered 408.
    pub body_timeout: Duration,
    /// Serve the university's billing endpoint, `POST /billing/charges` (docs/billing.md),
    /// taking requests signed with this key.
    pub billing_key: Option<String>,
    /// Also run the sign-in proxy stand-in (`sso.rs`) in front of a gateway.
    pub sso: Option<sso::SsoOptions>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            data: SimData::default(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            token_lifetime: Duration::from_secs(1800),
            control: false,
            demo_token: false,
            www: None,
            allow_origins: Vec::new(),
            quiet: false,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            billing_key: None,
            sso: None,
        }
    }
}

/// Requests served and time spent, for one operation.
#[derive(Clone, Debug, Default)]
struct OperationStats {
    count: u64,
    busy: Duration,
    /// Requests per status the server answered (or would have, for a dropped answer).
    statuses: BTreeMap<u16, u64>,
}

/// The shared state behind every request.
pub struct Sim {
    initial: SimData,
    token_lifetime: Duration,
    myq: Mutex<ServerState>,
    faults: Mutex<Vec<QueuedFault>>,
    stats: Mutex<BTreeMap<&'static str, OperationStats>>,
    /// The billing endpoint's key; `None` when it is not served.
    billing_key: Option<Vec<u8>>,
    billing: Mutex<Billing>,
}

impl Sim {
    fn new(data: SimData, token_lifetime: Duration, billing_key: Option<Vec<u8>>) -> Sim {
        Sim {
            myq: Mutex::new(ServerState::new(data.clone(), token_lifetime)),
            initial: data,
            token_lifetime,
            faults: Mutex::default(),
            stats: Mutex::default(),
            billing_key,
            billing: Mutex::default(),
        }
    }

    /// The server state. A panic while it was held cannot leave it half-changed (every change
    /// is checked before it is made), so a poisoned lock is taken as it is.
    pub fn myq(&self) -> MutexGuard<'_, ServerState> {
        self.myq
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn faults(&self) -> MutexGuard<'_, Vec<QueuedFault>> {
        self.faults
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The billing endpoint's charges and queued behaviours.
    pub fn billing(&self) -> MutexGuard<'_, Billing> {
        self.billing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn stats(&self) -> MutexGuard<'_, BTreeMap<&'static str, OperationStats>> {
        self.stats
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn demo_client(&self) -> &ApiClient {
        &self.initial.clients[0]
    }

    /// Takes one use of the first fault queued for `operation`.
    fn take_fault(&self, operation: &str) -> Option<Fault> {
        let mut faults = self.faults();
        let index = faults.iter().position(|f| f.operation == operation)?;
        let queued = &mut faults[index];
        let fault = queued.fault;
        queued.remaining = queued.remaining.saturating_sub(1);
        if queued.remaining == 0 {
            faults.remove(index);
        }
        Some(fault)
    }

    fn record(&self, operation: &'static str, status: u16, took: Duration) {
        let mut stats = self.stats();
        let entry = stats.entry(operation).or_default();
        entry.count += 1;
        entry.busy += took;
        *entry.statuses.entry(status).or_default() += 1;
    }

    fn stats_json(&self) -> Value {
        let stats = self.stats();
        let entries = stats.iter().map(|(op, s)| {
            let busy_ms = s.busy.as_secs_f64() * 1000.0;
            (
                op.to_string(),
                json!({ "count": s.count, "busyMs": busy_ms, "statuses": s.statuses }),
            )
        });
        Value::Object(entries.collect())
    }

    /// Back to the starting data: no payments, tokens, faults, counts or charges. Payment ids
    /// go on counting, as a real server's would: a gateway's ledger in front of the simulator
    /// never meets the same id twice.
    fn reset(&self) {
        *self.billing() = Billing::default();
        let mut myq = self.myq();
        *myq = ServerState::new(self.initial.clone(), self.token_lifetime).ids_from(&myq);
        drop(myq);
        self.faults().clear();
        self.stats().clear();
    }
}

/// A running simulator; dropping it leaves it running until the runtime ends.
pub struct Running {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
    pub sim: Arc<Sim>,
    sso: Option<sso::RunningSso>,
}

impl Running {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The sign-in proxy stand-in's `http://127.0.0.1:PORT`, when it runs.
    pub fn sso_url(&self) -> Option<String> {
        self.sso.as_ref().map(sso::RunningSso::url)
    }

    /// Stops accepting connections and waits for the accept loop (and the sign-in proxy
    /// stand-in) to end.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
        if let Some(sso) = self.sso {
            sso.stop().await;
        }
    }
}

/// Binds and starts serving in the background.
pub async fn start(options: Options) -> std::io::Result<Running> {
    let listener = TcpListener::bind(options.bind).await?;
    let addr = listener.local_addr()?;
    let billing_key = options.billing_key.clone().map(String::into_bytes);
    let sim = Arc::new(Sim::new(
        options.data.clone(),
        options.token_lifetime,
        billing_key,
    ));
    let sso = match &options.sso {
        Some(sso) => Some(sso::start(sso).await?),
        None => None,
    };
    let app = http::router(sim.clone(), &options);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve::serve(listener, app, options.header_timeout, async {
        let _ = stopped.await;
    }));
    Ok(Running {
        addr,
        stop,
        task,
        sim,
        sso,
    })
}
