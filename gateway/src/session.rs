//! The widget's session token: what the gateway's token-url answers the widget, and what the
//! widget then sends as `Authorization: Bearer` on every API call.
//!
//! It is an HS256 JWT signed with the gateway's own session key, with its own audience
//! ([`AUDIENCE`]) so no other token signed with a shared key passes for it, bound to the
//! signed-in person (username, role, admin) and short-lived: a stolen token is worth minutes,
//! and a person whose groups change gets the new role at the next token.

use crate::config::Secret;
use crate::error::GatewayError;
use crate::identity::{Identity, Role};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
/// The token-url's answer is MyQ X's token JSON, which the widget already reads
/// (docs/myq-api.md, "Tokens").
pub use myq_api::TokenAnswer;
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The session token's `aud` and `iss`.
pub const AUDIENCE: &str = "myq-gateway-session";

const EXPIRED: &str = "The top-up session has expired";
const INVALID: &str = "The top-up session token is not valid";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: Role,
    admin: bool,
    aud: String,
    iss: String,
    iat: u64,
    exp: u64,
}

/// Issues and verifies session tokens.
///
/// ```
/// use myq_gateway::config::Secret;
/// use myq_gateway::identity::{Identity, Role};
/// use myq_gateway::session::SessionKeys;
/// use std::time::Duration;
///
/// let keys = SessionKeys::new(&Secret::new("0123456789abcdef0123456789abcdef"), Duration::from_secs(600));
/// let jnovak = Identity { username: "jnovak".into(), role: Role::Student, admin: false };
/// let answer = keys.issue(&jnovak);
/// assert_eq!((answer.token_type.as_str(), answer.expires_in), ("Bearer", Some(600.0)));
/// assert_eq!(keys.verify(&answer.access_token).unwrap(), jnovak);
/// ```
pub struct SessionKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    lifetime: Duration,
    validation: Validation,
}

impl SessionKeys {
    pub fn new(secret: &Secret, lifetime: Duration) -> SessionKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        // The gateway checks its own tokens with its own clock: no skew to allow for.
        validation.leeway = 0;
        SessionKeys {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            lifetime,
            validation,
        }
    }

    /// A token for `identity`, living the configured lifetime from now.
    pub fn issue(&self, identity: &Identity) -> TokenAnswer {
        self.issue_at(identity, unix_now())
    }

    fn issue_at(&self, identity: &Identity, now: u64) -> TokenAnswer {
        let claims = Claims {
            sub: identity.username.clone(),
            role: identity.role,
            admin: identity.admin,
            aud: AUDIENCE.into(),
            iss: AUDIENCE.into(),
            iat: now,
            exp: now + self.lifetime.as_secs(),
        };
        let access_token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
                .expect("HS256 signing of plain claims cannot fail");
        TokenAnswer {
            access_token,
            token_type: "Bearer".into(),
            expires_in: Some(self.lifetime.as_secs_f64()),
        }
    }

    /// The identity a token was issued to; `401` for one expired, forged, altered or
    /// malformed (the widget then asks its token-url for a fresh one).
    pub fn verify(&self, token: &str) -> Result<Identity, GatewayError> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|error| match error.kind() {
                ErrorKind::ExpiredSignature => GatewayError::unauthorized(EXPIRED),
                _ => {
                    tracing::info!(%error, "session token refused");
                    GatewayError::unauthorized(INVALID)
                }
            })?
            .claims;
        Ok(Identity {
            username: claims.sub,
            role: claims.role,
            admin: claims.admin,
        })
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn keys(secret: &str) -> SessionKeys {
        SessionKeys::new(&Secret::new(secret), Duration::from_secs(600))
    }

    fn desk() -> Identity {
        Identity {
            username: "desk".into(),
            role: Role::Operator,
            admin: true,
        }
    }

    const KEY: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn round_trip_keeps_the_identity_and_answers_myq_token_json() {
        let keys = keys(KEY);
        let answer = keys.issue(&desk());
        assert_eq!(keys.verify(&answer.access_token), Ok(desk()));
        let json = serde_json::to_value(&answer).unwrap();
        assert_eq!(json["token_type"], "Bearer");
        assert_eq!(json["expires_in"], 600.0);
        assert_eq!(json.as_object().unwrap().len(), 3);
    }

    #[test]
    fn expired_token_is_refused_as_expired() {
        let keys = keys(KEY);
        let answer = keys.issue_at(&desk(), unix_now() - 601);
        let error = keys.verify(&answer.access_token).unwrap_err();
        assert_eq!(
            (error.status.as_u16(), error.message.as_str()),
            (401, EXPIRED)
        );
    }

    #[test]
    fn forged_tampered_and_malformed_tokens_are_refused() {
        let keys = keys(KEY);
        let forged = self::keys("another key, another key, another key")
            .issue(&desk())
            .access_token;

        let student = Identity {
            username: "jnovak".into(),
            role: Role::Student,
            admin: false,
        };
        let genuine = keys.issue(&student).access_token;
        let mut parts: Vec<String> = genuine.split('.').map(String::from).collect();
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
        parts[1] = URL_SAFE_NO_PAD.encode(payload.replace("\"student\"", "\"operator\""));
        let promoted = parts.join(".");

        let unsigned = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            parts[1]
        );
        for token in [forged.as_str(), &promoted, &unsigned, "", "abc", "a.b.c"] {
            let error = keys.verify(token).unwrap_err();
            assert_eq!(
                (error.status.as_u16(), error.message.as_str()),
                (401, INVALID),
                "{token}"
            );
        }
    }

    #[test]
    fn tokens_for_another_audience_are_refused() {
        #[derive(Serialize)]
        struct Other<'a> {
            sub: &'a str,
            role: Role,
            admin: bool,
            aud: &'a str,
            iss: &'a str,
            exp: u64,
        }
        let other = Other {
            sub: "desk",
            role: Role::Operator,
            admin: true,
            aud: "something-else",
            iss: AUDIENCE,
            exp: unix_now() + 60,
        };
        let token = jsonwebtoken::encode(
            &Header::default(),
            &other,
            &EncodingKey::from_secret(KEY.as_bytes()),
        )
        .unwrap();
        assert_eq!(keys(KEY).verify(&token).unwrap_err().message, INVALID);
    }
}
