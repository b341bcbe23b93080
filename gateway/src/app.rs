//! The gateway's shared state: configuration, MyQ X, the ledger, the identity and session
//! keys, the payment steps, the audit log and the rate limiter; and the few questions handlers
//! ask of them together.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use governor::{DefaultKeyedRateLimiter, Quota};
use myq_api::{Money, Myq, NoSuchUser, UserId, UserQuery};

use crate::audit::Audit;
use crate::billing::{BoxFuture, Charge, ChargeError, ChargeOutcome, PaymentStep};
use crate::config::Config;
use crate::desk;
use crate::error::GatewayError;
use crate::identity::{Authenticator, Identity, Role};
use crate::ledger::{Ledger, Record};
use crate::policy;
use crate::session::SessionKeys;
use crate::settle::Settlement;
use crate::upstream::Upstream;

/// Users a [`Remembered`] holds; past this the memory starts over.
const REMEMBERED_USERS: usize = 10_000;

/// A bounded memory of what MyQ X answered about users: lookups it need not repeat. Past
/// [`REMEMBERED_USERS`] entries it starts over rather than grow.
struct Remembered<K, V>(Mutex<HashMap<K, V>>);

impl<K: std::hash::Hash + Eq, V: Clone> Remembered<K, V> {
    fn new() -> Self {
        Remembered(Mutex::new(HashMap::new()))
    }

    fn get(&self, key: &K) -> Option<V> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned()
    }

    fn remember(&self, entries: impl ExactSizeIterator<Item = (K, V)>) {
        let mut memory = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if memory.len() + entries.len() > REMEMBERED_USERS {
            memory.clear();
        }
        memory.extend(entries);
    }
}

pub struct App {
    pub config: Config,
    pub upstream: Upstream,
    pub ledger: Ledger,
    pub authenticator: Authenticator,
    pub sessions: SessionKeys,
    /// The student's payment step: the university's billing endpoint.
    pub billing: Arc<dyn PaymentStep>,
    pub audit: Audit,
    limiter: DefaultKeyedRateLimiter<String>,
    /// Students' MyQ X ids, by lower-case username.
    user_ids: Remembered<String, UserId>,
    /// The usernames of users MyQ X answered to an operator's find, by id: an operator's
    /// payment records the username from here (MyQ X cannot look a user up by id).
    found_usernames: Remembered<UserId, String>,
}

impl App {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        config: Config,
        upstream: Upstream,
        ledger: Ledger,
        authenticator: Authenticator,
        sessions: SessionKeys,
        billing: Arc<dyn PaymentStep>,
        audit: Audit,
    ) -> App {
        let quota =
            Quota::per_minute(config.limits.requests_per_minute).allow_burst(config.limits.burst);
        let limiter = governor::RateLimiter::keyed(quota);
        App {
            config,
            upstream,
            ledger,
            authenticator,
            sessions,
            billing,
            audit,
            limiter,
            user_ids: Remembered::new(),
            found_usernames: Remembered::new(),
        }
    }

    /// Refuses a caller past its rate limit.
    pub fn limit(&self, identity: &Identity) -> Result<(), GatewayError> {
        self.limiter.check_key(&identity.username).map_err(|_| {
            GatewayError::too_many_requests("Too many requests: wait a minute and try again")
        })
    }

    /// The signed-in student's MyQ X id: the user whose username is theirs.
    pub async fn own_user_id(&self, identity: &Identity) -> Result<UserId, GatewayError> {
        let key = identity.username.to_lowercase();
        if let Some(id) = self.user_ids.get(&key) {
            return Ok(id);
        }
        let found = self
            .upstream
            .find_users(UserQuery::Username(&identity.username))
            .await?;
        let user = myq_api::pick_user(found, &identity.username).map_err(|none| {
            GatewayError::forbidden(match none {
                NoSuchUser::Unknown => format!(
                    "{} has no account in MyQ X: ask the help desk",
                    identity.username
                ),
                NoSuchUser::Ambiguous => format!(
                    "{} matches several MyQ X accounts: ask the help desk",
                    identity.username
                ),
            })
        })?;
        self.user_ids.remember(std::iter::once((key, user.id)));
        Ok(user.id)
    }

    /// Remembers the users MyQ X found for an operator, so the payment the operator then
    /// makes for one of them records the user's username.
    pub fn found_for_desk(&self, users: &[myq_api::User]) {
        self.found_usernames
            .remember(users.iter().map(|u| (u.id, u.username.clone())));
    }

    /// The username a payment records: the student's own; for an operator's payment, the
    /// username MyQ X gave for the user in a find the desk made through this gateway, or, when
    /// there was none (MyQ X cannot look a user up by id), [`desk::unknown_username`].
    pub fn username_of(&self, identity: &Identity, user: UserId) -> String {
        match identity.role {
            Role::Student => identity.username.clone(),
            Role::Operator => self
                .found_usernames
                .get(&user)
                .unwrap_or_else(|| desk::unknown_username(user)),
        }
    }

    /// The help desk's shift for `identity`: whose credits as [`policy::shift_scope`] allows,
    /// since [`policy::shift_since`].
    pub async fn shift(
        &self,
        identity: &Identity,
        since: Option<&str>,
        operator: Option<&str>,
    ) -> Result<myq_api::desk::Shift, GatewayError> {
        let offset = self.config.policy.utc_offset;
        let scope = policy::shift_scope(identity, operator)?;
        let since = policy::shift_since(since, time::OffsetDateTime::now_utc(), offset)?;
        let lines = self
            .ledger
            .shift(scope.operator(), policy::unix_ms(since))
            .await?;
        Ok(desk::shift_answer(since, &scope, &lines, offset))
    }

    /// Only the provider the gateway is set up for.
    pub fn only_configured_provider(&self, provider: &str) -> Result<(), GatewayError> {
        if provider == self.config.myq.provider {
            Ok(())
        } else {
            Err(GatewayError::not_found(format!(
                "No such recharge provider: {provider}"
            )))
        }
    }

    /// The amount against the policy: bounds and step for everyone, and for a student the caps
    /// on what was charged today and this month.
    pub async fn check_amount(
        &self,
        identity: &Identity,
        user: UserId,
        amount: Money,
    ) -> Result<(), GatewayError> {
        let rules = &self.config.policy;
        if identity.role == Role::Operator {
            return Ok(rules.amounts.check_amount(amount)?);
        }
        let (today, this_month) = self.spent(user).await?;
        Ok(rules.amounts.check(amount, today, this_month)?)
    }

    /// A student's payment about to be charged: its amount on top of what is spent stays within
    /// the caps. An operator's payment is not held to them.
    pub async fn check_caps_before_charge(&self, record: &Record) -> Result<(), GatewayError> {
        if record.role == Role::Operator {
            return Ok(());
        }
        let (today, this_month) = self.spent(record.user()).await?;
        Ok(self
            .config
            .policy
            .amounts
            .caps(record.amount, today, this_month)?)
    }

    /// A student's payment whose charge was just claimed (so it counts as spent): what is spent
    /// is still within the caps.
    pub async fn check_caps_after_claim(&self, record: &Record) -> Result<(), GatewayError> {
        if record.role == Role::Operator {
            return Ok(());
        }
        let (today, this_month) = self.spent(record.user()).await?;
        Ok(self.config.policy.amounts.within_caps(today, this_month)?)
    }

    /// What the user's top-ups paid or being paid amount to today and this month.
    async fn spent(&self, user: UserId) -> Result<(Money, Money), GatewayError> {
        let offset = self.config.policy.utc_offset;
        let now = time::OffsetDateTime::now_utc();
        let ledger_user = i64::try_from(user.0).unwrap_or(i64::MAX);
        let day = policy::unix_ms(policy::day_start(now, offset));
        let month = policy::unix_ms(policy::month_start(now, offset));
        let today = self.ledger.spent(ledger_user, day).await?;
        let this_month = self.ledger.spent(ledger_user, month).await?;
        Ok((today, this_month))
    }

    /// Who charges a payment: the billing endpoint for a student's, cash at the desk for an
    /// operator's.
    pub fn payment_step(&self, role: Role, actor: &str) -> Arc<dyn PaymentStep> {
        match role {
            Role::Student => self.billing.clone(),
            Role::Operator => Arc::new(CashAtDesk {
                operator: actor.to_owned(),
            }),
        }
    }

    pub fn settlement(&self) -> Settlement<'_> {
        Settlement {
            upstream: &self.upstream,
            ledger: &self.ledger,
            provider: &self.config.myq.provider,
        }
    }
}

/// An operator's payment step: the cash was taken at the desk, so the charge is approved at
/// once and names the operator.
pub struct CashAtDesk {
    pub operator: String,
}

impl PaymentStep for CashAtDesk {
    fn name(&self) -> &str {
        "the help desk"
    }

    fn charge<'a>(
        &'a self,
        _charge: &'a Charge,
    ) -> BoxFuture<'a, Result<ChargeOutcome, ChargeError>> {
        Box::pin(async move {
            Ok(ChargeOutcome::Approved {
                charge_id: format!("cash:{}", self.operator),
            })
        })
    }
}

/// The MyQ X client is used from axum handlers on many threads: its futures must be `Send`.
#[allow(dead_code)]
fn upstream_futures_are_send(upstream: &Upstream) {
    fn send<T: Send>(_: T) {}
    send(upstream.providers());
    send(upstream.commit_payment("external", &"1".into()));
}
