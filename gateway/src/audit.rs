//! The audit log: one JSON line per money-moving call (who, in which role, for which user, how
//! much, which payment, what came of it). It never holds a token or a secret: a line is built
//! only from the fields below.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::Mutex;

use myq_api::{Money, PaymentId, UserId};
use serde::Serialize;

use crate::config::AuditConfig;
use crate::identity::Identity;

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditLine {
    /// RFC 3339, UTC.
    pub time: String,
    /// Who was signed in.
    pub identity: String,
    pub role: &'static str,
    /// The MyQ X user the call was for.
    pub user: u64,
    /// In the currency's units, as MyQ X counts them (`12.5`).
    pub amount: f64,
    pub payment: String,
    pub operation: &'static str,
    pub outcome: &'static str,
}

impl AuditLine {
    pub fn new(
        identity: &Identity,
        operation: &'static str,
        user: UserId,
        amount: Money,
        payment: &PaymentId,
        outcome: &'static str,
    ) -> AuditLine {
        AuditLine {
            time: now_rfc3339(),
            identity: identity.username.clone(),
            role: identity.role.as_str(),
            user: user.0,
            amount: amount.to_number(),
            payment: payment.to_string(),
            operation,
            outcome,
        }
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Where audit lines go: a file opened for appending, or standard output.
pub struct Audit {
    out: Mutex<Box<dyn Write + Send>>,
}

impl Audit {
    /// Standard output, or a file created if missing and appended to.
    pub fn open(config: &AuditConfig) -> Result<Audit, String> {
        let out: Box<dyn Write + Send> = match config {
            AuditConfig::Stdout => Box::new(std::io::stdout()),
            AuditConfig::File(path) => {
                let file: File = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|err| format!("{} cannot be opened: {err}", path.display()))?;
                Box::new(file)
            }
        };
        Ok(Audit {
            out: Mutex::new(out),
        })
    }

    /// Writes one line. A failing write is logged, never fatal: the ledger is the record of
    /// money; this log is for people.
    pub fn record(&self, line: AuditLine) {
        let Ok(mut text) = serde_json::to_string(&line) else {
            return;
        };
        text.push('\n');
        let mut out = self
            .out
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Err(err) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            tracing::error!(error = %err, "the audit log cannot be written");
        }
    }
}
