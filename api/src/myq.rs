//! The calls the widget makes, as a trait: [`MyqClient`](crate::MyqClient) makes them over HTTP;
//! the top-up flow is generic over it, so its tests can run it against other implementations.

use crate::error::ApiError;
use crate::money::Money;
use crate::types::*;

// The widget runs on the browser's one thread: its futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait Myq {
    /// `GET /v3/rechargeProviders`: the active providers.
    async fn providers(&self) -> Result<Vec<Provider>, ApiError>;
    /// `GET /v3/users/find?username=` (or `email`, `card`, `code`): the users that match.
    async fn find_users(&self, query: UserQuery<'_>) -> Result<Vec<User>, ApiError>;
    /// `GET /v3/users/{id}/accounts`: the credit balance, when the server reports one.
    async fn balance(&self, user_id: UserId) -> Result<Option<Money>, ApiError>;
    /// `POST /v3/rechargeProviders/{provider}/payments`.
    async fn create_payment(
        &self,
        provider: &str,
        payment: &NewPayment,
    ) -> Result<CreatedPayment, ApiError>;
    /// `PATCH …/payments/{id}`: a new amount before commit.
    async fn update_payment(
        &self,
        provider: &str,
        id: &PaymentId,
        change: &PaymentChange,
    ) -> Result<(), ApiError>;
    /// `POST …/payments/{id}/commit`: makes the payment effective; answers the credit added.
    async fn commit_payment(&self, provider: &str, id: &PaymentId) -> Result<Money, ApiError>;
    /// `POST …/payments/{id}/rollback`; MyQ keeps the reason as the description.
    async fn rollback_payment(
        &self,
        provider: &str,
        id: &PaymentId,
        reason: &str,
    ) -> Result<(), ApiError>;
    /// `GET …/payments?userId=`: the user's payments with this provider, newest first.
    async fn payments(&self, provider: &str, user_id: UserId) -> Result<Vec<Payment>, ApiError>;
}
