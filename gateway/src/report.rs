//! `myq-gateway report`: what the ledger says happened, per day, for the people who balance
//! the books: charged, credited, declined and rolled back, and every mismatch (a payment charged
//! but not credited, or credited without a charge); then the help desk's cash per day and
//! operator (the same credits as the operators' shifts), and every flagged credit with its
//! reason, for an administrator to correct in MyQ X.

use std::path::PathBuf;

use std::collections::BTreeMap;

use time::{Date, UtcOffset};

use crate::config::Config;
use crate::desk;
use crate::ledger::{DayFigures, DeskCredit, Figure, Ledger, LedgerError, Record};
use crate::policy::Money;

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
    let desk = ledger
        .desk_credits(None, from, to)
        .await
        .map_err(unreadable)?;
    print!("{}", render(&days, &mismatches));
    print!("{}", render_desk(&desk, offset));
    Ok(())
}

/// One operator's credits on one day: the cash they took, and how many of those credits are
/// flagged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeskFigures {
    pub credited: Figure,
    pub flagged: i64,
}

/// The desk's credits per day (of the credit, at `utc_offset`) and operator.
pub fn desk_figures(
    lines: &[DeskCredit],
    utc_offset: UtcOffset,
) -> BTreeMap<(Date, String), DeskFigures> {
    let mut figures: BTreeMap<(Date, String), DeskFigures> = BTreeMap::new();
    for line in lines {
        let day = time::OffsetDateTime::from_unix_timestamp(line.credited_at.div_euclid(1000))
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
            .to_offset(utc_offset)
            .date();
        let entry = figures.entry((day, line.actor.clone())).or_default();
        entry.credited.count += 1;
        entry.credited.sum = entry.credited.sum + line.amount;
        if line.flag.is_some() {
            entry.flagged += 1;
        }
    }
    figures
}

/// The desk's part of the report: cash credited per day and operator, then every flagged
/// credit with its reason.
pub fn render_desk(lines: &[DeskCredit], utc_offset: UtcOffset) -> String {
    let mut out = format!(
        "\nhelp desk (cash)\n{:<10}  {:<20}  {:>18}  {:>7}\n",
        "day", "operator", "credited", "flagged"
    );
    let figures = desk_figures(lines, utc_offset);
    if figures.is_empty() {
        out.push_str("no credits at the help desk\n");
    }
    for ((day, operator), figures) in &figures {
        out.push_str(&format!(
            "{:<10}  {:<20}  {:>18}  {:>7}\n",
            day.to_string(),
            operator,
            format!("{} / {}", figures.credited.count, figures.credited.sum),
            figures.flagged,
        ));
    }
    let flagged: Vec<&DeskCredit> = lines.iter().filter(|line| line.flag.is_some()).collect();
    if flagged.is_empty() {
        out.push_str("\nno flagged credits\n");
        return out;
    }
    let total = flagged.iter().fold(Money(0), |sum, line| sum + line.amount);
    out.push_str(&format!(
        "\n{} flagged credits ({total}), to correct in MyQ X:\n",
        flagged.len()
    ));
    for line in flagged {
        let Some(flag) = &line.flag else { continue };
        out.push_str(&format!(
            "  payment {} of {} (user {}): {} credited by {} at {}; flagged by {} at {}: {}\n",
            line.payment_id,
            line.username,
            line.user_id,
            line.amount,
            line.actor,
            desk::rfc3339(line.credited_at, utc_offset),
            flag.by,
            desk::rfc3339(flag.at, utc_offset),
            flag.reason,
        ));
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, offset};

    /// 2025-03-10 12:00 UTC.
    const NOON: i64 = 1_741_608_000_000;
    const HOUR: i64 = 3_600_000;

    fn line(id: &str, actor: &str, cents: i64, at: i64, flag: Option<&str>) -> DeskCredit {
        DeskCredit::example(id, actor, cents, at, flag)
    }

    #[test]
    fn desk_figures_are_per_day_at_the_offset_and_per_operator() {
        let lines = [
            line("1", "desk1", 2000, NOON, None),
            line("2", "desk1", 500, NOON + HOUR, Some("typed 5 for 50")),
            line("3", "desk2", 1000, NOON, None),
            // 23:30 UTC is the next day at +01:00.
            line("4", "desk1", 700, NOON + 11 * HOUR + HOUR / 2, None),
        ];
        let figures = desk_figures(&lines, offset!(+01:00));
        let get = |day, who: &str| figures[&(day, who.to_owned())];
        let desk1 = get(date!(2025 - 03 - 10), "desk1");
        assert_eq!(
            (desk1.credited.count, desk1.credited.sum, desk1.flagged),
            (2, Money(2500), 1)
        );
        assert_eq!(
            get(date!(2025 - 03 - 10), "desk2").credited.sum,
            Money(1000)
        );
        assert_eq!(get(date!(2025 - 03 - 11), "desk1").credited.count, 1);
        assert_eq!(figures.len(), 3);
        assert_eq!(desk_figures(&lines, offset!(UTC)).len(), 2);

        let text = render_desk(&lines, offset!(+01:00));
        assert!(text.contains("2025-03-10  desk1"), "{text}");
        assert!(text.contains("2 / 25.00"), "{text}");
        assert!(
            text.contains("1 flagged credits (5.00), to correct in MyQ X:"),
            "{text}"
        );
        assert!(
            text.contains(
                "payment 2 of jnovak (user 34173): 5.00 credited by desk1 at \
                 2025-03-10T14:00:00+01:00; flagged by desk1 at 2025-03-10T15:00:00+01:00: \
                 typed 5 for 50"
            ),
            "{text}"
        );
        let none = render_desk(&[], offset!(UTC));
        assert!(none.contains("no credits at the help desk"), "{none}");
        assert!(none.contains("no flagged credits"), "{none}");
    }
}
