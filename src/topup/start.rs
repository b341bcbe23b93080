//! Getting ready: whose credit, which providers, what balance, which payments.

use std::fmt;

use crate::api::{
    ApiError, Money, Myq, NoSuchUser, Payment, Provider, User, UserId, UserQuery, pick_user,
};

/// Whose credit the widget tops up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Who {
    Id(UserId),
    /// Resolved with `users/find`: the user whose username (or else alias) it is.
    Username(String),
}

/// What the widget knows once it is ready to top up.
#[derive(Clone, Debug, PartialEq)]
pub struct Started {
    pub user_id: UserId,
    /// Known when the user was found by name.
    pub user: Option<User>,
    /// The active recharge providers.
    pub providers: Vec<Provider>,
    /// The provider payments are made with.
    pub provider: String,
    /// The credit balance, when the server reports it.
    pub balance: Option<Money>,
    /// The user's payments with the provider, newest first: read here, beside the providers and
    /// the balance, rather than after them, to save the start a round trip.
    pub payments: Vec<Payment>,
}

/// Why the widget cannot start.
#[derive(Clone, Debug, PartialEq)]
pub enum StartError {
    Api(ApiError),
    UnknownUser(String),
    /// Several users match by alias and none by username.
    AmbiguousUser(String),
    /// The configured provider is not among the active ones.
    ProviderInactive(String),
}

impl From<ApiError> for StartError {
    fn from(err: ApiError) -> Self {
        StartError::Api(err)
    }
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Api(err) => err.fmt(f),
            StartError::UnknownUser(name) => write!(f, "MyQ X has no user '{name}'"),
            StartError::AmbiguousUser(name) => {
                write!(f, "'{name}' matches several MyQ X users; use the user id")
            }
            StartError::ProviderInactive(reference) => write!(
                f,
                "the recharge provider '{reference}' is not active in MyQ X (Settings > Credit)"
            ),
        }
    }
}

/// Loads the providers while it resolves the user (they do not depend on who), then the balance
/// and the user's payments at once: the provider's reference is known up front, so the payments
/// need not wait for the providers.
///
/// A user id the server does not know is refused. A balance the server will not tell (a token
/// without the `users` scope, say) is not fatal:
/// the widget tops up all the same and shows the balance after a commit when it can.
pub async fn start(myq: &impl Myq, who: &Who, provider: &str) -> Result<Started, StartError> {
    let user_and_money = async {
        let (user_id, user) = whose(myq, who).await?;
        let (balance, payments) =
            futures::join!(myq.balance(user_id), myq.payments(provider, user_id));
        Ok::<_, StartError>((user_id, user, balance, payments))
    };
    let (providers, user_and_money) = futures::join!(myq.providers(), user_and_money);
    // A user not found says more than a provider list that failed meanwhile.
    let (user_id, user, balance, payments) = user_and_money?;
    let providers = providers?;
    if !providers.iter().any(|p| p.reference == provider) {
        return Err(StartError::ProviderInactive(provider.to_owned()));
    }
    let balance = match balance {
        Ok(balance) => balance,
        Err(err) if err.status() == Some(404) => {
            return Err(StartError::UnknownUser(user_id.to_string()));
        }
        Err(_) => None,
    };
    Ok(Started {
        user_id,
        user,
        providers,
        provider: provider.to_owned(),
        balance,
        payments: payments?,
    })
}

/// The user's id, and the user when found by name.
async fn whose(myq: &impl Myq, who: &Who) -> Result<(UserId, Option<User>), StartError> {
    let name = match who {
        Who::Id(id) => return Ok((*id, None)),
        Who::Username(name) => name,
    };
    let found = myq.find_users(UserQuery::Username(name)).await?;
    let user = pick_user(found, name).map_err(|none| match none {
        NoSuchUser::Unknown => StartError::UnknownUser(name.to_owned()),
        NoSuchUser::Ambiguous => StartError::AmbiguousUser(name.to_owned()),
    })?;
    Ok((user.id, Some(user)))
}
