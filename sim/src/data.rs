//! The simulator's starting data: API clients, users and recharge providers.
//!
//! `--data FILE` loads the same shape as JSON; [`SimData::default`] is what runs otherwise.

use std::path::Path;

use serde::Deserialize;

use crate::money::Cents;

/// Everything the simulator starts from. Payments always start empty.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimData {
    pub clients: Vec<ApiClient>,
    pub users: Vec<User>,
    pub providers: Vec<Provider>,
}

/// A REST API client as set up in MyQ X under Settings > REST API apps.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiClient {
    pub id: String,
    pub secret: String,
    /// Scopes this client may be granted, e.g. `credit`, `users`.
    pub scopes: Vec<String>,
    /// Rights of the client's tokens (`client_credentials` grant).
    #[serde(default)]
    pub rights: Vec<Right>,
}

/// MyQ X rights the simulator checks.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum Right {
    #[serde(rename = "manage-payments")]
    ManagePayments,
    #[serde(rename = "manage-users")]
    ManageUsers,
}

impl Right {
    pub fn label(self) -> &'static str {
        match self {
            Right::ManagePayments => "Manage payments",
            Right::ManageUsers => "Manage users",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct User {
    pub id: u64,
    pub username: String,
    #[serde(default)]
    pub fullname: String,
    #[serde(default)]
    pub email: String,
    /// Other names the user logs in with; `users/find?username=` matches them too.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Password for the `login_info` grant; users without one cannot log in.
    #[serde(default)]
    pub password: Option<String>,
    /// Rights of tokens obtained by logging in as this user (`login_info` grant).
    #[serde(default)]
    pub rights: Vec<Right>,
    /// Starting balance of the user's internal credit account.
    #[serde(default)]
    pub credit: Cents,
    /// Numbers of the ID cards the user swipes at printers; `users/find?card=` matches them.
    #[serde(default)]
    pub cards: Vec<String>,
    /// The user's personal code (a student or staff number); `users/find?code=` matches it.
    #[serde(default)]
    pub code: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub name: String,
    pub reference: String,
    #[serde(default)]
    pub description: String,
    /// Whether the provider is switched on in Settings > Credit.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

impl SimData {
    /// Loads and checks a data file; the error says what is wrong and where.
    pub fn load(path: &Path) -> Result<SimData, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        let data: SimData = serde_json::from_str(&text)
            .map_err(|err| format!("{} is not valid simulator data: {err}", path.display()))?;
        data.check()
            .map_err(|err| format!("{} is not valid simulator data: {err}", path.display()))?;
        Ok(data)
    }

    fn check(&self) -> Result<(), String> {
        let mut ids = std::collections::HashSet::new();
        for user in &self.users {
            if !ids.insert(user.id) {
                return Err(format!("user id {} appears twice", user.id));
            }
            if user.username.is_empty() {
                return Err(format!("user {} has an empty username", user.id));
            }
        }
        let mut references = std::collections::HashSet::new();
        for provider in &self.providers {
            if !references.insert(provider.reference.as_str()) {
                return Err(format!("provider '{}' appears twice", provider.reference));
            }
        }
        Ok(())
    }
}

impl Default for SimData {
    fn default() -> Self {
        let user = |id: u64, username: &str, fullname: &str, credit| User {
            id,
            username: username.into(),
            fullname: fullname.into(),
            email: format!("{username}@example.edu"),
            credit: Cents(credit),
            cards: vec![format!("04{id:08X}")],
            code: Some(format!("S{id}")),
            ..User::default()
        };
        let provider = |name: &str, reference: &str, enabled| Provider {
            name: name.into(),
            reference: reference.into(),
            description: String::new(),
            enabled,
        };
        SimData {
            clients: vec![ApiClient {
                id: "demo-client".into(),
                secret: "demo-secret".into(),
                scopes: vec!["credit".into(), "users".into()],
                rights: vec![Right::ManagePayments, Right::ManageUsers],
            }],
            users: vec![
                User {
                    aliases: vec!["novak".into(), "jn".into()],
                    password: Some("student".into()),
                    ..user(34173, "jnovak", "Jan Novák", 12_000)
                },
                user(34174, "psvobodova", "Petra Svobodová", 4_550),
                user(34175, "mdvorak", "Martin Dvořák", 0),
                // Shares jnovak's alias "jn": a desk that looks for "jn" finds two users.
                User {
                    aliases: vec!["jn".into()],
                    ..user(34176, "jnovakova", "Jana Nováková", 3_000)
                },
                User {
                    password: Some("operator".into()),
                    rights: vec![Right::ManagePayments, Right::ManageUsers],
                    ..user(1176, "helpdesk", "Help Desk", 0)
                },
            ],
            providers: vec![
                provider("External Payment Providers", "external", true),
                provider("PayPal", "paypal", true),
                provider("Voucher", "voucher", true),
            ],
        }
    }
}
