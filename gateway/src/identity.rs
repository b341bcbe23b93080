//! Who is signed in: the single sign-on's answer, read from a request's headers.
//!
//! Two sources, as configured ([`IdentitySource`]): headers set by a sign-in proxy in front of
//! the gateway (honoured only from the proxies' addresses, since anyone else could send them),
//! or the single sign-on's JWT from a cookie or `Authorization: Bearer`, verified with a shared
//! HS256 key or the public keys of a JWKS file (RS256, ES256).

use crate::config::{HeaderSource, IdentityConfig, IdentitySource, JwtKey, JwtSource};
use crate::error::GatewayError;
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use ipnet::IpNet;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use std::net::IpAddr;

/// What the signed-in person may do in the widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Tops up only their own account, within the caps.
    Student,
    /// Tops up anyone (the help desk taking cash).
    Operator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Student => "student",
            Role::Operator => "operator",
        }
    }
}

/// The signed-in person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub username: String,
    pub role: Role,
    /// A member of the admin group: sees reports. Independent of the role.
    pub admin: bool,
}

/// What a request without a usable identity is answered.
pub const SIGN_IN: &str = "Sign in to top up";
const UNTRUSTED_PEER: &str = "the sign-in header came from an address that is not a trusted proxy";
const EXPIRED: &str = "Your sign-in has expired: sign in again to top up";
const NOT_VERIFIED: &str = "Your sign-in could not be verified: sign in again to top up";

/// Reads the signed-in person from a request, as configured.
///
/// ```
/// use myq_gateway::config::{HeaderSource, IdentityConfig, IdentitySource};
/// use myq_gateway::identity::{Authenticator, Role};
/// use axum::http::{HeaderMap, HeaderName};
///
/// let authenticator = Authenticator::new(&IdentityConfig {
///     source: IdentitySource::Header(HeaderSource {
///         user_header: HeaderName::from_static("x-auth-request-user"),
///         groups_header: HeaderName::from_static("x-auth-request-groups"),
///         trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
///     }),
///     operator_group: Some("print-desk".into()),
///     admin_group: None,
/// })
/// .unwrap();
/// let mut headers = HeaderMap::new();
/// headers.insert("x-auth-request-user", "jnovak".parse().unwrap());
/// let identity = authenticator.identify(&headers, "10.1.2.3".parse().unwrap()).unwrap();
/// assert_eq!((identity.username.as_str(), identity.role), ("jnovak", Role::Student));
/// ```
pub struct Authenticator {
    source: Source,
    operator_group: Option<String>,
    admin_group: Option<String>,
}

enum Source {
    Header(HeaderSource),
    Jwt { config: JwtSource, keys: Keys },
}

enum Keys {
    Hs256(DecodingKey),
    Set(Vec<VerifyingKey>),
}

/// A JWKS key, ready to verify with.
pub struct VerifyingKey {
    pub kid: Option<String>,
    pub algorithm: Algorithm,
    pub key: DecodingKey,
}

/// The JWKS's keys with their algorithms: RS256 for RSA keys, ES256 for P-256 keys. Any other
/// key is an error, so a JWKS the gateway cannot fully use is noticed at start.
pub fn verifying_keys(set: &JwkSet) -> Result<Vec<VerifyingKey>, String> {
    if set.keys.is_empty() {
        return Err("the JWKS has no keys".into());
    }
    set.keys
        .iter()
        .map(|jwk| {
            let kid = jwk.common.key_id.clone();
            let name = kid.as_deref().unwrap_or("without kid");
            let algorithm = match (&jwk.algorithm, jwk.common.key_algorithm) {
                (AlgorithmParameters::RSA(_), None | Some(KeyAlgorithm::RS256)) => Algorithm::RS256,
                (AlgorithmParameters::EllipticCurve(ec), None | Some(KeyAlgorithm::ES256))
                    if ec.curve == EllipticCurve::P256 =>
                {
                    Algorithm::ES256
                }
                _ => {
                    return Err(format!(
                        "key {name}: only RS256 (RSA) and ES256 (P-256) keys are supported"
                    ));
                }
            };
            let key = DecodingKey::from_jwk(jwk).map_err(|error| format!("key {name}: {error}"))?;
            Ok(VerifyingKey {
                kid,
                algorithm,
                key,
            })
        })
        .collect()
}

impl Authenticator {
    pub fn new(config: &IdentityConfig) -> Result<Authenticator, String> {
        let source = match &config.source {
            IdentitySource::Header(header) => Source::Header(header.clone()),
            IdentitySource::Jwt(jwt) => Source::Jwt {
                keys: match &jwt.key {
                    JwtKey::Hs256(secret) => {
                        Keys::Hs256(DecodingKey::from_secret(secret.expose().as_bytes()))
                    }
                    JwtKey::Jwks(set) => Keys::Set(verifying_keys(set)?),
                },
                config: jwt.clone(),
            },
        };
        Ok(Authenticator {
            source,
            operator_group: config.operator_group.clone(),
            admin_group: config.admin_group.clone(),
        })
    }

    /// The person signed in on the request that came from `peer` (the TCP peer's address).
    pub fn identify(&self, headers: &HeaderMap, peer: IpAddr) -> Result<Identity, GatewayError> {
        let (username, groups) = match &self.source {
            Source::Header(source) => from_headers(source, headers, peer)?,
            Source::Jwt { config, keys } => from_jwt(config, keys, headers)?,
        };
        let member =
            |group: &Option<String>| group.as_ref().is_some_and(|group| groups.contains(group));
        Ok(Identity {
            username,
            role: if member(&self.operator_group) {
                Role::Operator
            } else {
                Role::Student
            },
            admin: member(&self.admin_group),
        })
    }
}

fn from_headers(
    source: &HeaderSource,
    headers: &HeaderMap,
    peer: IpAddr,
) -> Result<(String, Vec<String>), GatewayError> {
    let Some(user) = headers.get(&source.user_header) else {
        return Err(GatewayError::unauthorized(SIGN_IN));
    };
    if !is_trusted(&source.trusted_proxies, peer) {
        tracing::warn!(%peer, "sign-in header from an untrusted peer");
        return Err(GatewayError::unauthorized(UNTRUSTED_PEER));
    }
    let username = user.to_str().map(str::trim).unwrap_or_default();
    if username.is_empty() {
        return Err(GatewayError::unauthorized(SIGN_IN));
    }
    let groups = headers
        .get_all(&source.groups_header)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(split_groups)
        .collect();
    Ok((username.to_string(), groups))
}

fn is_trusted(proxies: &[IpNet], peer: IpAddr) -> bool {
    // A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d.
    let peer = peer.to_canonical();
    proxies.iter().any(|net| net.contains(&peer))
}

/// Groups as sign-in proxies send them: separated by commas and/or spaces.
fn split_groups(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split([',', ' ', '\t'])
        .filter(|group| !group.is_empty())
        .map(String::from)
}

fn from_jwt(
    config: &JwtSource,
    keys: &Keys,
    headers: &HeaderMap,
) -> Result<(String, Vec<String>), GatewayError> {
    let token = config
        .bearer
        .then(|| bearer_token(headers))
        .flatten()
        .or_else(|| {
            config
                .cookie
                .as_deref()
                .and_then(|name| cookie(headers, name))
        })
        .ok_or_else(|| GatewayError::unauthorized(SIGN_IN))?;
    let claims = verify_jwt(config, keys, token)?;
    let username = match claims.get(&config.username_claim) {
        Some(Value::String(name)) if !name.trim().is_empty() => name.trim().to_string(),
        _ => {
            tracing::warn!(claim = %config.username_claim, "JWT without a username claim");
            return Err(GatewayError::unauthorized(NOT_VERIFIED));
        }
    };
    let groups = match claims.get(&config.groups_claim) {
        Some(Value::Array(groups)) => groups
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        Some(Value::String(groups)) => split_groups(groups).collect(),
        _ => Vec::new(),
    };
    Ok((username, groups))
}

fn verify_jwt(
    config: &JwtSource,
    keys: &Keys,
    token: &str,
) -> Result<Map<String, Value>, GatewayError> {
    let not_verified = |detail: &dyn std::fmt::Display| {
        tracing::info!(%detail, "JWT refused");
        GatewayError::unauthorized(NOT_VERIFIED)
    };
    let header = jsonwebtoken::decode_header(token).map_err(|error| not_verified(&error))?;
    // The key decides the algorithm, never the token: that closes the HS256-with-a-public-key
    // and "none" confusions.
    let (algorithm, key) = match keys {
        Keys::Hs256(key) => (Algorithm::HS256, key),
        Keys::Set(set) => {
            let candidates: Vec<&VerifyingKey> = set
                .iter()
                .filter(|key| header.kid.is_none() || key.kid == header.kid)
                .collect();
            match candidates.as_slice() {
                [only] => (only.algorithm, &only.key),
                [] => {
                    return Err(not_verified(&format_args!(
                        "no key with kid {:?}",
                        header.kid
                    )));
                }
                _ => return Err(not_verified(&"no kid, and the JWKS has several keys")),
            }
        }
    };
    if header.alg != algorithm {
        return Err(not_verified(&format_args!(
            "algorithm {:?} where the key is {algorithm:?}",
            header.alg
        )));
    }
    let mut validation = Validation::new(algorithm);
    validation.set_issuer(&[&config.issuer]);
    validation.set_audience(&[&config.audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation)
        .map(|data| data.claims)
        .map_err(|error| match error.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                GatewayError::unauthorized(EXPIRED)
            }
            _ => not_verified(&error),
        })
}

/// The token of `Authorization: Bearer <token>` (scheme in any case).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The value of cookie `name`, from any `Cookie` header.
fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, value)| *key == name && !value.is_empty())
        .map(|(_, value)| value)
}
