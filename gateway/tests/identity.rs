//! Who is signed in: header mode from trusted proxies only, and JWTs checked for signature,
//! issuer, audience and expiry (HS256, and ES256 through a JWKS generated for the test).

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use myq_gateway::config::{
    HeaderSource, IdentityConfig, IdentitySource, JwtKey, JwtSource, Secret,
};
use myq_gateway::identity::{Authenticator, Identity, Role};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};
use std::net::IpAddr;

const SIGN_IN: &str = "Sign in to top up";
const UNTRUSTED: &str = "the sign-in header came from an address that is not a trusted proxy";
const NOT_VERIFIED: &str = "Your sign-in could not be verified: sign in again to top up";
const EXPIRED: &str = "Your sign-in has expired: sign in again to top up";

fn authenticator_for(source: IdentitySource) -> Authenticator {
    Authenticator::new(&IdentityConfig {
        source,
        operator_group: Some("print-desk".into()),
        admin_group: Some("print-admins".into()),
    })
    .unwrap()
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    pairs
        .iter()
        .map(|(name, value)| {
            (
                HeaderName::try_from(*name).unwrap(),
                HeaderValue::try_from(*value).unwrap(),
            )
        })
        .collect()
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn who(username: &str, role: Role, admin: bool) -> Result<Identity, (u16, String)> {
    Ok(Identity {
        username: username.into(),
        role,
        admin,
    })
}

fn refused(message: &str) -> Result<Identity, (u16, String)> {
    Err((401, message.into()))
}

#[test]
fn header_mode_trusts_only_its_proxies() {
    let authenticator = authenticator_for(IdentitySource::Header(HeaderSource {
        user_header: HeaderName::from_static("x-auth-request-user"),
        groups_header: HeaderName::from_static("x-auth-request-groups"),
        trusted_proxies: vec!["10.0.0.0/24".parse().unwrap(), "::1/128".parse().unwrap()],
    }));
    let user = "x-auth-request-user";
    let groups = "x-auth-request-groups";
    let cases = [
        (
            headers(&[(user, "jnovak")]),
            "10.0.0.7",
            who("jnovak", Role::Student, false),
        ),
        (
            headers(&[(user, " jnovak ")]),
            "::1",
            who("jnovak", Role::Student, false),
        ),
        // A dual-stack listener's view of an IPv4 proxy.
        (
            headers(&[(user, "jnovak")]),
            "::ffff:10.0.0.7",
            who("jnovak", Role::Student, false),
        ),
        (headers(&[(user, "jnovak")]), "10.0.1.7", refused(UNTRUSTED)),
        (
            headers(&[(user, "desk"), (groups, "print-desk")]),
            "203.0.113.9",
            refused(UNTRUSTED),
        ),
        (headers(&[]), "10.0.0.7", refused(SIGN_IN)),
        (headers(&[]), "203.0.113.9", refused(SIGN_IN)),
        (headers(&[(user, "")]), "10.0.0.7", refused(SIGN_IN)),
        (
            headers(&[(user, "desk"), (groups, "staff,print-desk")]),
            "10.0.0.7",
            who("desk", Role::Operator, false),
        ),
        (
            headers(&[(user, "boss"), (groups, "staff print-admins, print-desk")]),
            "10.0.0.7",
            who("boss", Role::Operator, true),
        ),
        (
            headers(&[(user, "audit"), (groups, "print-admins")]),
            "10.0.0.7",
            who("audit", Role::Student, true),
        ),
        // A group's name must match whole, not as a part.
        (
            headers(&[(user, "jnovak"), (groups, "print-desk-alumni")]),
            "10.0.0.7",
            who("jnovak", Role::Student, false),
        ),
        (
            headers(&[(user, "desk"), (groups, "staff"), (groups, "print-desk")]),
            "10.0.0.7",
            who("desk", Role::Operator, false),
        ),
    ];
    for (headers, peer, expected) in cases {
        let got = authenticator
            .identify(&headers, ip(peer))
            .map_err(|e| (e.status.as_u16(), e.message));
        assert_eq!(got, expected, "{headers:?} from {peer}");
    }
}

const ISSUER: &str = "https://sso.example.edu/realms/campus";
const AUDIENCE: &str = "myq-gateway";
const SHARED: &str = "the single sign-on's shared key";

fn jwt_source(key: JwtKey) -> JwtSource {
    JwtSource {
        cookie: Some("id_token".into()),
        bearer: true,
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        key,
        username_claim: "preferred_username".into(),
        groups_claim: "groups".into(),
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn claims(changes: &[(&str, Value)]) -> Value {
    let mut claims = json!({
        "iss": ISSUER, "aud": AUDIENCE, "exp": now() + 300, "iat": now(),
        "preferred_username": "jnovak", "groups": ["students"],
    });
    for (key, value) in changes {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(*key);
        } else {
            claims[*key] = value.clone();
        }
    }
    claims
}

fn hs256(claims: &Value, key: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap()
}

fn bearer(token: &str) -> HeaderMap {
    headers(&[("authorization", &format!("Bearer {token}"))])
}

fn check(
    authenticator: &Authenticator,
    headers: HeaderMap,
    expected: Result<Identity, (u16, String)>,
    label: &str,
) {
    // The peer does not matter for JWTs: the signature is the proof.
    let got = authenticator
        .identify(&headers, ip("203.0.113.9"))
        .map_err(|e| (e.status.as_u16(), e.message));
    assert_eq!(got, expected, "{label}");
}

#[test]
fn jwt_mode_verifies_hs256_tokens() {
    let authenticator = authenticator_for(IdentitySource::Jwt(jwt_source(JwtKey::Hs256(
        Secret::new(SHARED),
    ))));
    let valid = hs256(&claims(&[]), SHARED);
    let cases = [
        (
            "valid, bearer",
            bearer(&valid),
            who("jnovak", Role::Student, false),
        ),
        (
            "valid, cookie",
            headers(&[("cookie", &format!("theme=dark; id_token={valid}"))]),
            who("jnovak", Role::Student, false),
        ),
        (
            "bearer in lower case",
            headers(&[("authorization", &format!("bearer {valid}"))]),
            who("jnovak", Role::Student, false),
        ),
        (
            "no token",
            headers(&[("cookie", "theme=dark")]),
            refused(SIGN_IN),
        ),
        (
            "basic auth",
            headers(&[("authorization", "Basic amFuOnB3")]),
            refused(SIGN_IN),
        ),
        (
            "expired",
            bearer(&hs256(&claims(&[("exp", json!(now() - 3600))]), SHARED)),
            refused(EXPIRED),
        ),
        (
            "wrong issuer",
            bearer(&hs256(
                &claims(&[("iss", json!("https://evil.example"))]),
                SHARED,
            )),
            refused(NOT_VERIFIED),
        ),
        (
            "wrong audience",
            bearer(&hs256(&claims(&[("aud", json!("another-app"))]), SHARED)),
            refused(NOT_VERIFIED),
        ),
        (
            "audience in a list",
            bearer(&hs256(
                &claims(&[("aud", json!(["another-app", AUDIENCE]))]),
                SHARED,
            )),
            who("jnovak", Role::Student, false),
        ),
        (
            "no exp",
            bearer(&hs256(&claims(&[("exp", Value::Null)]), SHARED)),
            refused(NOT_VERIFIED),
        ),
        (
            "bad signature",
            bearer(&hs256(&claims(&[]), "another key")),
            refused(NOT_VERIFIED),
        ),
        ("garbage", bearer("not.a.jwt"), refused(NOT_VERIFIED)),
        (
            "no username",
            bearer(&hs256(
                &claims(&[("preferred_username", Value::Null)]),
                SHARED,
            )),
            refused(NOT_VERIFIED),
        ),
        (
            "groups as a list",
            bearer(&hs256(
                &claims(&[("groups", json!(["print-desk", "print-admins"]))]),
                SHARED,
            )),
            who("jnovak", Role::Operator, true),
        ),
        (
            "groups as a string",
            bearer(&hs256(
                &claims(&[("groups", json!("staff print-desk"))]),
                SHARED,
            )),
            who("jnovak", Role::Operator, false),
        ),
    ];
    for (label, headers, expected) in cases {
        check(&authenticator, headers, expected, label);
    }
}

#[test]
fn jwt_mode_reads_only_the_configured_places() {
    let valid = hs256(&claims(&[]), SHARED);
    let cookie_only = authenticator_for(IdentitySource::Jwt(JwtSource {
        bearer: false,
        ..jwt_source(JwtKey::Hs256(Secret::new(SHARED)))
    }));
    check(
        &cookie_only,
        bearer(&valid),
        refused(SIGN_IN),
        "bearer when only the cookie is read",
    );
    check(
        &cookie_only,
        headers(&[("cookie", &format!("id_token={valid}"))]),
        who("jnovak", Role::Student, false),
        "cookie",
    );
}

/// An ES256 key pair made for the test, and its public half as a JWKS.
struct EcKey {
    private_pkcs8: Vec<u8>,
    jwks: JwkSet,
}

fn ec_key(kid: &str) -> EcKey {
    let random = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &random).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &random)
        .unwrap();
    // An uncompressed P-256 point: 0x04, then x and y, 32 bytes each.
    let point = pair.public_key().as_ref();
    let jwks = json!({"keys": [{
        "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
    }]});
    EcKey {
        private_pkcs8: pkcs8.as_ref().to_vec(),
        jwks: serde_json::from_value(jwks).unwrap(),
    }
}

fn es256(claims: &Value, key: &EcKey, kid: Option<&str>) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = kid.map(String::from);
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_ec_der(&key.private_pkcs8),
    )
    .unwrap()
}

#[test]
fn jwt_mode_verifies_es256_tokens_from_a_jwks() {
    let sso = ec_key("sso-2025");
    let rotated = ec_key("sso-2026");
    let mut both = sso.jwks.clone();
    both.keys.extend(rotated.jwks.keys.clone());
    let authenticator =
        authenticator_for(IdentitySource::Jwt(jwt_source(JwtKey::Jwks(both.clone()))));
    let stranger = ec_key("sso-2025");

    let cases = [
        (
            "by kid",
            bearer(&es256(&claims(&[]), &sso, Some("sso-2025"))),
            who("jnovak", Role::Student, false),
        ),
        (
            "the other key by kid",
            bearer(&es256(&claims(&[]), &rotated, Some("sso-2026"))),
            who("jnovak", Role::Student, false),
        ),
        (
            "signed by the other key",
            bearer(&es256(&claims(&[]), &rotated, Some("sso-2025"))),
            refused(NOT_VERIFIED),
        ),
        (
            "unknown kid",
            bearer(&es256(&claims(&[]), &sso, Some("sso-1999"))),
            refused(NOT_VERIFIED),
        ),
        (
            "no kid among several keys",
            bearer(&es256(&claims(&[]), &sso, None)),
            refused(NOT_VERIFIED),
        ),
        (
            "a stranger's key",
            bearer(&es256(&claims(&[]), &stranger, Some("sso-2025"))),
            refused(NOT_VERIFIED),
        ),
        (
            "expired",
            bearer(&es256(
                &claims(&[("exp", json!(now() - 3600))]),
                &sso,
                Some("sso-2025"),
            )),
            refused(EXPIRED),
        ),
        (
            "wrong audience",
            bearer(&es256(
                &claims(&[("aud", json!("x"))]),
                &sso,
                Some("sso-2025"),
            )),
            refused(NOT_VERIFIED),
        ),
    ];
    for (label, headers, expected) in cases {
        check(&authenticator, headers, expected, label);
    }

    // The JWKS's key decides the algorithm: an HS256 token keyed with the public key's bytes
    // (the classic confusion) is refused.
    let public_json = serde_json::to_string(&both.keys[0]).unwrap();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("sso-2025".into());
    let confused = jsonwebtoken::encode(
        &header,
        &claims(&[]),
        &EncodingKey::from_secret(public_json.as_bytes()),
    )
    .unwrap();
    check(
        &authenticator,
        bearer(&confused),
        refused(NOT_VERIFIED),
        "HS256 against an ES256 key",
    );

    let single = authenticator_for(IdentitySource::Jwt(jwt_source(JwtKey::Jwks(
        sso.jwks.clone(),
    ))));
    check(
        &single,
        bearer(&es256(&claims(&[]), &sso, None)),
        who("jnovak", Role::Student, false),
        "no kid, one key",
    );
}

#[test]
fn unsupported_jwks_keys_are_refused_when_starting() {
    let set: JwkSet = serde_json::from_value(json!({"keys": [
        {"kty": "oct", "kid": "shared", "k": "c2VjcmV0"}
    ]}))
    .unwrap();
    let error = myq_gateway::identity::verifying_keys(&set).err().unwrap();
    assert_eq!(
        error,
        "key shared: only RS256 (RSA) and ES256 (P-256) keys are supported"
    );
    let empty = JwkSet { keys: vec![] };
    assert_eq!(
        myq_gateway::identity::verifying_keys(&empty).err().unwrap(),
        "the JWKS has no keys"
    );
}
