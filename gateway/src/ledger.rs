//! The payment ledger: every payment the gateway makes in MyQ X, and each of its steps, written
//! before the gateway makes the next outside call, so a crash or a lost answer leaves a record
//! the reconciler can finish from ([`Ledger::unfinished`]).
//!
//! A payment moves `created → charging → charged → credited`; a charge the billing service
//! refuses ends `declined`, and a payment MyQ X must not credit ends `rolled_back`. The `steps`
//! table keeps one row per step and payment, and its `UNIQUE (payment_id, step)` is what makes
//! a payment charged at most once and credited at most once, across processes.
//!
//! The `flags` table holds the help desk's flags: a credit an operator says was a mistake, with
//! the reason, at most one per payment. A flag changes no money (MyQ X cannot take credit back);
//! [`Ledger::shift`] and the report show it for an administrator to correct in MyQ X.
//!
//! One code path serves SQLite and PostgreSQL through `sqlx::any`: the schema and queries are
//! written in the SQL both share (`$1` parameters, `ON CONFLICT DO NOTHING`, sums cast to
//! `BIGINT`), so there is a single set of migrations (`gateway/migrations`) and nothing to keep
//! in step between two copies.

use crate::error::GatewayError;
use crate::identity::Role;
use crate::policy::Money;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use time::{Date, UtcOffset};

/// Milliseconds since the Unix epoch, now. The ledger asks its clock, so tests can set it.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Where a payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordState {
    /// Created in MyQ X, not yet charged.
    Created,
    /// The charge was asked of the billing service; its answer is not recorded yet.
    Charging,
    /// Paid; to be committed in MyQ X.
    Charged,
    /// The billing service refused the charge; the payment is to be rolled back in MyQ X.
    Declined,
    /// Committed in MyQ X: the student has the credit.
    Credited,
    /// Rolled back in MyQ X.
    RolledBack,
}

impl RecordState {
    pub const ALL: [RecordState; 6] = [
        RecordState::Created,
        RecordState::Charging,
        RecordState::Charged,
        RecordState::Declined,
        RecordState::Credited,
        RecordState::RolledBack,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordState::Created => "created",
            RecordState::Charging => "charging",
            RecordState::Charged => "charged",
            RecordState::Declined => "declined",
            RecordState::Credited => "credited",
            RecordState::RolledBack => "rolled_back",
        }
    }

    fn parse(text: &str) -> Option<RecordState> {
        RecordState::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
    }
}

impl fmt::Display for RecordState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A payment as first recorded, right after MyQ X created it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    /// MyQ X's payment id.
    pub payment_id: String,
    /// The widget's intent key (`[myq-topup 0123456789abcdef]`'s hex digits).
    pub intent_key: String,
    pub user_id: i64,
    pub username: String,
    pub amount: Money,
    pub role: Role,
    /// Who asked: the student themselves, or the operator.
    pub actor: String,
}

/// A payment as the ledger has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub payment_id: String,
    pub intent_key: String,
    pub user_id: i64,
    pub username: String,
    pub amount: Money,
    pub role: Role,
    pub actor: String,
    pub state: RecordState,
    pub charge_id: Option<String>,
    pub reason: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
}

impl Record {
    /// MyQ X's id of the user credited.
    pub fn user(&self) -> myq_api::UserId {
        myq_api::UserId(self.user_id.unsigned_abs())
    }

    /// MyQ X's id of the payment.
    pub fn payment(&self) -> myq_api::PaymentId {
        self.payment_id.as_str().into()
    }
}

/// What [`Ledger::record_created`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    New(Record),
    /// The intent was recorded before (a repeated request): its first payment.
    Existing(Record),
}

/// A flag on a credit: said to be a mistake, for an administrator to correct in MyQ X.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub reason: String,
    /// Who flagged it.
    pub by: String,
    /// Unix milliseconds.
    pub at: i64,
}

/// A credit the help desk gave: an operator's payment, credited, with its flag if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskCredit {
    pub payment_id: String,
    pub user_id: i64,
    /// As recorded when the payment was created (see `App::username_of`).
    pub username: String,
    pub amount: Money,
    /// The operator who took the cash.
    pub actor: String,
    /// When MyQ X's commit was recorded: unix milliseconds.
    pub credited_at: i64,
    pub flag: Option<Flag>,
}

#[cfg(test)]
impl DeskCredit {
    /// jnovak's credit of `cents` by `actor` at `at` (unix ms), flagged with `flag`'s reason by
    /// the same operator an hour later: the shift's and the report's tests build theirs here.
    pub fn example(id: &str, actor: &str, cents: i64, at: i64, flag: Option<&str>) -> DeskCredit {
        DeskCredit {
            payment_id: id.into(),
            user_id: 34173,
            username: "jnovak".into(),
            amount: Money(cents),
            actor: actor.into(),
            credited_at: at,
            flag: flag.map(|reason| Flag {
                reason: reason.into(),
                by: actor.into(),
                at: at + 3_600_000,
            }),
        }
    }
}

/// A count and a sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figure {
    pub count: i64,
    pub sum: Money,
}

/// One day's payments, by the step taken that day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayFigures {
    pub charged: Figure,
    pub credited: Figure,
    pub declined: Figure,
    pub rolled_back: Figure,
    /// Charged that day and not credited (yet): money taken, no credit given. Each one is for
    /// the reconciler or a refund.
    pub charged_not_credited: Figure,
}

#[derive(Debug)]
pub enum LedgerError {
    Database(sqlx::Error),
    NotFound {
        payment_id: String,
    },
    /// The step is recorded for the payment already (a second charge or credit).
    AlreadyRecorded {
        payment_id: String,
        step: RecordState,
    },
    /// The payment's state does not allow the step.
    WrongState {
        payment_id: String,
        state: RecordState,
        step: RecordState,
    },
    /// Another intent already recorded MyQ X's payment id.
    PaymentIdTaken {
        payment_id: String,
    },
    /// The payment is flagged already; a flag is not replaced.
    AlreadyFlagged {
        payment_id: String,
        flag: Flag,
    },
    /// A row the ledger cannot read (a state or role it does not know).
    Corrupt(String),
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LedgerError::Database(error) => write!(f, "ledger database: {error}"),
            LedgerError::NotFound { payment_id } => {
                write!(f, "payment {payment_id} is not in the ledger")
            }
            LedgerError::AlreadyRecorded { payment_id, step } => {
                write!(f, "payment {payment_id} is {step} already")
            }
            LedgerError::WrongState {
                payment_id,
                state,
                step,
            } => {
                write!(
                    f,
                    "payment {payment_id} is {state}, so it cannot become {step}"
                )
            }
            LedgerError::PaymentIdTaken { payment_id } => {
                write!(f, "payment {payment_id} is recorded for another top-up")
            }
            LedgerError::AlreadyFlagged { payment_id, flag } => write!(
                f,
                "payment {payment_id} is flagged already, by {}: {}",
                flag.by, flag.reason
            ),
            LedgerError::Corrupt(problem) => write!(f, "ledger row unreadable: {problem}"),
        }
    }
}

impl std::error::Error for LedgerError {}

impl From<sqlx::Error> for LedgerError {
    fn from(error: sqlx::Error) -> Self {
        LedgerError::Database(error)
    }
}

impl From<sqlx::migrate::MigrateError> for LedgerError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        LedgerError::Database(error.into())
    }
}

/// A payment in the wrong state is a conflict the widget can show; a broken database is an
/// internal error.
impl From<LedgerError> for GatewayError {
    fn from(error: LedgerError) -> Self {
        match error {
            LedgerError::NotFound { .. } => GatewayError::not_found(error.to_string()),
            LedgerError::AlreadyRecorded { .. }
            | LedgerError::WrongState { .. }
            | LedgerError::PaymentIdTaken { .. }
            | LedgerError::AlreadyFlagged { .. } => GatewayError::conflict(error.to_string()),
            LedgerError::Database(_) | LedgerError::Corrupt(_) => GatewayError::internal(error),
        }
    }
}

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

const COLUMNS: &str = "payment_id, intent_key, user_id, username, amount_cents, role, actor, \
    state, charge_id, reason, created_at, updated_at";
const DAY_MS: i64 = 86_400_000;
/// The states whose amount counts as spent: paid, or being paid.
const SPENT: &str = "('charging', 'charged', 'credited')";

/// The ledger's database.
///
/// ```no_run
/// # async fn example() -> Result<(), myq_gateway::ledger::LedgerError> {
/// use myq_gateway::ledger::Ledger;
/// let ledger = Ledger::connect("sqlite:///var/lib/myq-gateway/ledger.sqlite3").await?;
/// if ledger.begin_charge("34200").await? {
///     // This caller, and no other, charges payment 34200.
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Ledger {
    pool: AnyPool,
    clock: Clock,
}

impl Ledger {
    /// Connects and brings the schema up to date. A SQLite database is created if missing
    /// and put in WAL mode (readers do not wait for the writer).
    pub async fn connect(database_url: &str) -> Result<Ledger, LedgerError> {
        sqlx::any::install_default_drivers();
        let is_sqlite = database_url.starts_with("sqlite:");
        let url = if is_sqlite {
            creating_sqlite_file(database_url)
        } else {
            database_url.to_string()
        };
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .connect(&url)
            .await?;
        if is_sqlite {
            // WAL mode is kept in the file: set once, it holds for every connection.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        MIGRATIONS.run(&pool).await?;
        Ok(Ledger {
            pool,
            clock: Arc::new(|| crate::policy::unix_ms(time::OffsetDateTime::now_utc())),
        })
    }

    /// The same ledger with another clock (for tests).
    pub fn with_clock(self, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Ledger {
        Ledger {
            clock: Arc::new(clock),
            ..self
        }
    }

    fn now(&self) -> i64 {
        (self.clock)()
    }

    /// Records a payment MyQ X just created. A repeated intent answers the payment first
    /// recorded for it, and records nothing.
    pub async fn record_created(&self, new: &NewRecord) -> Result<Recorded, LedgerError> {
        let now = self.now();
        let mut transaction = self.pool.begin().await?;
        let inserted = sqlx::query(&format!(
            "INSERT INTO payments ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, 'created', NULL, NULL, $8, $8) \
             ON CONFLICT DO NOTHING"
        ))
        .bind(&new.payment_id)
        .bind(&new.intent_key)
        .bind(new.user_id)
        .bind(&new.username)
        .bind(new.amount.0)
        .bind(new.role.as_str())
        .bind(&new.actor)
        .bind(now)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if inserted == 0 {
            transaction.rollback().await?;
            return match self.by_intent(&new.intent_key).await? {
                Some(existing) => Ok(Recorded::Existing(existing)),
                None => Err(LedgerError::PaymentIdTaken {
                    payment_id: new.payment_id.clone(),
                }),
            };
        }
        sqlx::query(
            "INSERT INTO steps (payment_id, step, at, detail) VALUES ($1, 'created', $2, NULL)",
        )
        .bind(&new.payment_id)
        .bind(now)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        self.get(&new.payment_id).await.map(Recorded::New)
    }

    pub async fn by_intent(&self, intent_key: &str) -> Result<Option<Record>, LedgerError> {
        self.one("intent_key", intent_key).await
    }

    pub async fn get(&self, payment_id: &str) -> Result<Record, LedgerError> {
        self.one("payment_id", payment_id)
            .await?
            .ok_or_else(|| LedgerError::NotFound {
                payment_id: payment_id.into(),
            })
    }

    async fn one(&self, column: &str, value: &str) -> Result<Option<Record>, LedgerError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM payments WHERE {column} = $1"
        ))
        .bind(value)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(record).transpose()
    }

    /// Claims the charge of a `created` payment: `true` for exactly one caller however many
    /// ask at once; `false` for the others and for a payment past `created`.
    pub async fn begin_charge(&self, payment_id: &str) -> Result<bool, LedgerError> {
        match self
            .step(
                payment_id,
                RecordState::Charging,
                &[RecordState::Created],
                None,
                None,
            )
            .await
        {
            Ok(()) => Ok(true),
            Err(LedgerError::AlreadyRecorded { .. } | LedgerError::WrongState { .. }) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// The billing service charged the payment.
    pub async fn charged(&self, payment_id: &str, charge_id: &str) -> Result<(), LedgerError> {
        self.step(
            payment_id,
            RecordState::Charged,
            &[RecordState::Charging],
            Some(charge_id),
            None,
        )
        .await
    }

    /// The billing service refused the charge.
    pub async fn declined(&self, payment_id: &str, reason: &str) -> Result<(), LedgerError> {
        self.step(
            payment_id,
            RecordState::Declined,
            &[RecordState::Charging],
            None,
            Some(reason),
        )
        .await
    }

    /// MyQ X committed the payment.
    pub async fn credited(&self, payment_id: &str) -> Result<(), LedgerError> {
        self.step(
            payment_id,
            RecordState::Credited,
            &[RecordState::Charged],
            None,
            None,
        )
        .await
    }

    /// MyQ X rolled the payment back. A reason given earlier (a decline) stays the payment's
    /// reason; every step keeps its own in `steps.detail`. From `charged`, the money taken is
    /// to be refunded: the report counts it as charged and not credited.
    pub async fn rolled_back(&self, payment_id: &str, reason: &str) -> Result<(), LedgerError> {
        let unfinished = [
            RecordState::Created,
            RecordState::Charging,
            RecordState::Charged,
            RecordState::Declined,
        ];
        self.step(
            payment_id,
            RecordState::RolledBack,
            &unfinished,
            None,
            Some(reason),
        )
        .await
    }

    /// Records `step` and moves the payment to it, in one transaction: the step's row first,
    /// whose uniqueness refuses a repeat, then the state, which must be one of `from`.
    async fn step(
        &self,
        payment_id: &str,
        step: RecordState,
        from: &[RecordState],
        charge_id: Option<&str>,
        reason: Option<&str>,
    ) -> Result<(), LedgerError> {
        let now = self.now();
        let mut transaction = self.pool.begin().await?;
        let recorded = sqlx::query(
            "INSERT INTO steps (payment_id, step, at, detail) SELECT $1, $2, $3, $4 \
             WHERE EXISTS (SELECT 1 FROM payments WHERE payment_id = $1) ON CONFLICT DO NOTHING",
        )
        .bind(payment_id)
        .bind(step.as_str())
        .bind(now)
        .bind(charge_id.or(reason))
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if recorded == 0 {
            transaction.rollback().await?;
            self.get(payment_id).await?; // Not found, or else:
            return Err(LedgerError::AlreadyRecorded {
                payment_id: payment_id.into(),
                step,
            });
        }
        let from = from
            .iter()
            .map(|state| format!("'{state}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let moved = sqlx::query(&format!(
            "UPDATE payments SET state = $1, updated_at = $2, \
             charge_id = COALESCE($3, charge_id), reason = COALESCE(reason, $4) \
             WHERE payment_id = $5 AND state IN ({from})"
        ))
        .bind(step.as_str())
        .bind(now)
        .bind(charge_id)
        .bind(reason)
        .bind(payment_id)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if moved == 0 {
            transaction.rollback().await?;
            let state = self.get(payment_id).await?.state;
            return Err(LedgerError::WrongState {
                payment_id: payment_id.into(),
                state,
                step,
            });
        }
        transaction.commit().await?;
        Ok(())
    }

    /// What the user's top-ups created since `since_ms` amount to, counting those paid or
    /// being paid: the caps' "spent today" and "spent this month".
    pub async fn spent(&self, user_id: i64, since_ms: i64) -> Result<Money, LedgerError> {
        let sum: i64 = sqlx::query(&format!(
            "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM payments \
             WHERE user_id = $1 AND created_at >= $2 AND state IN {SPENT}"
        ))
        .bind(user_id)
        .bind(since_ms)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        Ok(Money(sum))
    }

    /// The reconciler's work, oldest first: payments being charged, charged but not credited,
    /// declined but not rolled back, and created before `created_before_ms` (abandoned).
    pub async fn unfinished(&self, created_before_ms: i64) -> Result<Vec<Record>, LedgerError> {
        self.many(
            "WHERE state IN ('charging', 'charged', 'declined') \
             OR (state = 'created' AND created_at < $1) ORDER BY created_at, payment_id",
            |query| query.bind(created_before_ms),
        )
        .await
    }

    /// Payments created in `from_ms..to_ms` whose money was taken and not credited: still
    /// charged, or rolled back after the charge (to be refunded). Oldest first.
    pub async fn charged_not_credited(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<Record>, LedgerError> {
        self.many(
            "WHERE charge_id IS NOT NULL AND state <> 'credited' \
             AND created_at >= $1 AND created_at < $2 ORDER BY created_at, payment_id",
            |query| query.bind(from_ms).bind(to_ms),
        )
        .await
    }

    /// The payments `actor` (an operator) got credited since `since_ms`, oldest first.
    pub async fn credits_by(&self, actor: &str, since_ms: i64) -> Result<Vec<Record>, LedgerError> {
        self.many(
            "WHERE actor = $1 AND state = 'credited' AND created_at >= $2 ORDER BY created_at, payment_id",
            |query| query.bind(actor.to_string()).bind(since_ms),
        )
        .await
    }

    /// Flags a payment (the caller checked it is a credit that may be flagged). A payment is
    /// flagged once: a second flag is [`LedgerError::AlreadyFlagged`], with the first.
    pub async fn flag(
        &self,
        payment_id: &str,
        reason: &str,
        by: &str,
    ) -> Result<Flag, LedgerError> {
        let flag = Flag {
            reason: reason.to_owned(),
            by: by.to_owned(),
            at: self.now(),
        };
        let inserted = sqlx::query(
            "INSERT INTO flags (payment_id, reason, flagged_by, at) SELECT $1, $2, $3, $4 \
             WHERE EXISTS (SELECT 1 FROM payments WHERE payment_id = $1) ON CONFLICT DO NOTHING",
        )
        .bind(payment_id)
        .bind(&flag.reason)
        .bind(&flag.by)
        .bind(flag.at)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(flag);
        }
        self.get(payment_id).await?; // Not found, or else:
        match self.flag_of(payment_id).await? {
            Some(flag) => Err(LedgerError::AlreadyFlagged {
                payment_id: payment_id.into(),
                flag,
            }),
            None => Err(LedgerError::Corrupt(format!(
                "payment {payment_id}: its flag was neither written nor found"
            ))),
        }
    }

    /// The payment's flag, if it has one.
    pub async fn flag_of(&self, payment_id: &str) -> Result<Option<Flag>, LedgerError> {
        let row = sqlx::query("SELECT reason, flagged_by, at FROM flags WHERE payment_id = $1")
            .bind(payment_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(Flag {
                reason: row.try_get(0)?,
                by: row.try_get(1)?,
                at: row.try_get(2)?,
            })
        })
        .transpose()
    }

    /// The help desk's shift: the operators' payments credited since `since_ms`, by `actor`
    /// (compared ignoring case, as usernames are) or by every operator, with their flags;
    /// in the order they were credited.
    pub async fn shift(
        &self,
        actor: Option<&str>,
        since_ms: i64,
    ) -> Result<Vec<DeskCredit>, LedgerError> {
        self.desk_credits(actor, since_ms, i64::MAX).await
    }

    /// The operators' payments credited in `from_ms..to_ms`, as [`shift`](Self::shift).
    pub async fn desk_credits(
        &self,
        actor: Option<&str>,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<DeskCredit>, LedgerError> {
        let by_actor = if actor.is_some() {
            "AND LOWER(p.actor) = LOWER($3)"
        } else {
            ""
        };
        let sql = format!(
            "SELECT p.payment_id, p.user_id, p.username, p.amount_cents, p.actor, s.at, \
               f.reason, f.flagged_by, f.at \
             FROM steps s JOIN payments p ON p.payment_id = s.payment_id \
             LEFT JOIN flags f ON f.payment_id = p.payment_id \
             WHERE s.step = 'credited' AND s.at >= $1 AND s.at < $2 AND p.role = 'operator' \
               AND p.state = 'credited' {by_actor} \
             ORDER BY s.at, p.payment_id"
        );
        let mut query = sqlx::query(&sql).bind(from_ms).bind(to_ms);
        if let Some(actor) = actor {
            query = query.bind(actor.to_owned());
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let reason: Option<String> = row.try_get(6)?;
                let flag = match reason {
                    Some(reason) => Some(Flag {
                        reason,
                        by: row.try_get(7)?,
                        at: row.try_get(8)?,
                    }),
                    None => None,
                };
                Ok(DeskCredit {
                    payment_id: row.try_get(0)?,
                    user_id: row.try_get(1)?,
                    username: row.try_get(2)?,
                    amount: Money(row.try_get(3)?),
                    actor: row.try_get(4)?,
                    credited_at: row.try_get(5)?,
                    flag,
                })
            })
            .collect()
    }

    async fn many(
        &self,
        condition: &str,
        bind: impl for<'q> FnOnce(AnyQuery<'q>) -> AnyQuery<'q>,
    ) -> Result<Vec<Record>, LedgerError> {
        let sql = format!("SELECT {COLUMNS} FROM payments {condition}");
        let rows = bind(sqlx::query(&sql)).fetch_all(&self.pool).await?;
        rows.iter().map(record).collect()
    }

    /// Per day from `from_ms` (inclusive) to `to_ms` (exclusive), days beginning at midnight at
    /// `utc_offset`: the steps taken that day, and the payments charged that day and not
    /// credited. Days without any step are left out.
    pub async fn report(
        &self,
        from_ms: i64,
        to_ms: i64,
        utc_offset: UtcOffset,
    ) -> Result<BTreeMap<Date, DayFigures>, LedgerError> {
        let offset_ms = i64::from(utc_offset.whole_seconds()) * 1000;
        let day = format!("(s.at + $1) / {DAY_MS}");
        let by_step = format!(
            "SELECT s.step, {day} AS day, COUNT(*), CAST(SUM(p.amount_cents) AS BIGINT) \
             FROM steps s JOIN payments p ON p.payment_id = s.payment_id \
             WHERE s.at >= $2 AND s.at < $3 AND s.step IN ('charged', 'credited', 'declined', 'rolled_back') \
             GROUP BY s.step, {day}"
        );
        let not_credited = format!(
            "SELECT 'charged_not_credited', {day} AS day, COUNT(*), CAST(SUM(p.amount_cents) AS BIGINT) \
             FROM steps s JOIN payments p ON p.payment_id = s.payment_id \
             WHERE s.at >= $2 AND s.at < $3 AND s.step = 'charged' AND NOT EXISTS \
               (SELECT 1 FROM steps c WHERE c.payment_id = s.payment_id AND c.step = 'credited') \
             GROUP BY {day}"
        );
        let mut days: BTreeMap<Date, DayFigures> = BTreeMap::new();
        for sql in [by_step, not_credited] {
            let rows = sqlx::query(&sql)
                .bind(offset_ms)
                .bind(from_ms)
                .bind(to_ms)
                .fetch_all(&self.pool)
                .await?;
            for row in rows {
                let kind: String = row.try_get(0)?;
                let day = unix_day(row.try_get(1)?)?;
                let figure = Figure {
                    count: row.try_get(2)?,
                    sum: Money(row.try_get(3)?),
                };
                let figures = days.entry(day).or_default();
                match kind.as_str() {
                    "charged" => figures.charged = figure,
                    "credited" => figures.credited = figure,
                    "declined" => figures.declined = figure,
                    "rolled_back" => figures.rolled_back = figure,
                    _ => figures.charged_not_credited = figure,
                }
            }
        }
        Ok(days)
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// The date of day number `day` since 1970-01-01.
fn unix_day(day: i64) -> Result<Date, LedgerError> {
    const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;
    i32::try_from(day + UNIX_EPOCH_JULIAN_DAY)
        .ok()
        .and_then(|julian| Date::from_julian_day(julian).ok())
        .ok_or_else(|| LedgerError::Corrupt(format!("day {day} out of range")))
}

/// `mode=rwc` unless the URL chooses a mode: the ledger's file is created on first start.
fn creating_sqlite_file(url: &str) -> String {
    if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

fn record(row: &AnyRow) -> Result<Record, LedgerError> {
    let role: String = row.try_get("role")?;
    let state: String = row.try_get("state")?;
    Ok(Record {
        payment_id: row.try_get("payment_id")?,
        intent_key: row.try_get("intent_key")?,
        user_id: row.try_get("user_id")?,
        username: row.try_get("username")?,
        amount: Money(row.try_get("amount_cents")?),
        role: match role.as_str() {
            "student" => Role::Student,
            "operator" => Role::Operator,
            _ => return Err(LedgerError::Corrupt(format!("role {role:?}"))),
        },
        actor: row.try_get("actor")?,
        state: RecordState::parse(&state)
            .ok_or_else(|| LedgerError::Corrupt(format!("state {state:?}")))?,
        charge_id: row.try_get("charge_id")?,
        reason: row.try_get("reason")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_create_their_file() {
        assert_eq!(
            creating_sqlite_file("sqlite:///var/lib/l.db"),
            "sqlite:///var/lib/l.db?mode=rwc"
        );
        assert_eq!(
            creating_sqlite_file("sqlite://l.db?cache=shared"),
            "sqlite://l.db?cache=shared&mode=rwc"
        );
        assert_eq!(
            creating_sqlite_file("sqlite://l.db?mode=ro"),
            "sqlite://l.db?mode=ro"
        );
    }

    #[test]
    fn unix_days_are_dates() {
        assert_eq!(unix_day(0).unwrap(), time::macros::date!(1970 - 01 - 01));
        assert_eq!(
            unix_day(20_089).unwrap(),
            time::macros::date!(2025 - 01 - 01)
        );
        assert_eq!(DAY_MS * 20_089, 1_735_689_600_000);
    }
}
