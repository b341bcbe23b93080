//! `myq-gateway report`: what the ledger says happened, per day, for the people who balance
//! the books: charged, credited, declined and rolled back, and every mismatch (a payment charged
//! but not credited, or credited without a charge).

use std::path::PathBuf;

use std::collections::BTreeMap;

use time::Date;

use crate::config::Config;
use crate::ledger::{DayFigures, Figure, Ledger, LedgerError, Record};

/// `report --config FILE --from DATE --to DATE`.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub config: PathBuf,
    pub from: time::Date,
    /// Inclusive.
    pub to: time::Date,
}

impl Options {
    pub fn parse(args: &[&str]) -> Result<Options, String> {
        let (mut config, mut from, mut to) = (None, None, None);
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match *flag {
                "--config" => config = Some(PathBuf::from(value)),
                "--from" => from = Some(date(flag, value)?),
                "--to" => to = Some(date(flag, value)?),
                other => return Err(format!("report: unknown option {other}")),
            }
        }
        let options = Options {
            config: config.ok_or("report needs --config FILE")?,
            from: from.ok_or("report needs --from YYYY-MM-DD")?,
            to: to.ok_or("report needs --to YYYY-MM-DD")?,
        };
        if options.to < options.from {
            return Err("report: --to comes before --from".into());
        }
        Ok(options)
    }
}

fn date(flag: &str, text: &str) -> Result<time::Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format)
        .map_err(|_| format!("{flag} takes a date as YYYY-MM-DD, not '{text}'"))
}

/// Prints the report for `options` from the ledger `config` names.
pub async fn print(config: &Config, options: &Options) -> Result<(), String> {
    let ledger = Ledger::connect(&config.database_url).await.map_err(|err| {
        format!(
            "the ledger at {} cannot be opened: {err}",
            config.database_url
        )
    })?;
    let offset = config.policy.utc_offset;
    let from = unix_ms(options.from.midnight().assume_offset(offset));
    let after = options.to.next_day().unwrap_or(options.to);
    let to = unix_ms(after.midnight().assume_offset(offset));
    let unreadable = |err: LedgerError| format!("the ledger cannot be read: {err}");
    let days = ledger.report(from, to, offset).await.map_err(unreadable)?;
    let mismatches = ledger
        .charged_not_credited(from, to)
        .await
        .map_err(unreadable)?;
    print!("{}", render(&days, &mismatches));
    Ok(())
}

/// The report as text: one line per day, then each payment charged and not credited.
pub fn render(days: &BTreeMap<Date, DayFigures>, mismatches: &[Record]) -> String {
    let mut out = format!(
        "{:<10}  {:>18}  {:>18}  {:>18}  {:>18}  {:>22}\n",
        "day", "charged", "credited", "declined", "rolled back", "charged, not credited"
    );
    let cell = |figure: &Figure| format!("{} / {}", figure.count, figure.sum);
    for (day, figures) in days {
        out.push_str(&format!(
            "{:<10}  {:>18}  {:>18}  {:>18}  {:>18}  {:>22}\n",
            day.to_string(),
            cell(&figures.charged),
            cell(&figures.credited),
            cell(&figures.declined),
            cell(&figures.rolled_back),
            cell(&figures.charged_not_credited),
        ));
    }
    if mismatches.is_empty() {
        out.push_str("\nno mismatches\n");
    } else {
        out.push_str(&format!(
            "\n{} mismatches (charged, not credited):\n",
            mismatches.len()
        ));
        for record in mismatches {
            out.push_str(&format!(
                "  payment {} of {} (user {}): {} charged as {}, now {}{}\n",
                record.payment_id,
                record.username,
                record.user_id,
                record.amount,
                record.charge_id.as_deref().unwrap_or("?"),
                record.state,
                record
                    .reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default(),
            ));
        }
    }
    out
}

fn unix_ms(at: time::OffsetDateTime) -> i64 {
    crate::policy::unix_ms(at)
}
