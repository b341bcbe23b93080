//! Every answer type read from random JSON and from the API document's examples
//! (docs/myq-api.md) with a random part replaced: each read returns a value or an error, never
//! a panic (a wasm panic kills the widget).
//!
//! Runs natively (`serde_json` parsing the text) and in headless Chromium (the browser's `JSON.parse`),
//! through the same readers, from the same generator.

use myq_topup::api::{
    AccountList, Committed, CreatedPayment, ErrorBody, PaymentList, ProviderList, TokenAnswer,
    UserList, json,
};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Documents per run.
const DOCUMENTS: usize = 3_000;

/// The API document's examples (docs/myq-api.md): the starting points that get mutated.
const SEEDS: &[&str] = &[
    r#"{"providers":[{"name":"External Payment Providers","reference":"external","description":"","params":[]},{"name":"PayPal","reference":"paypal","description":"","params":[]}],"count":2}"#,
    r#"{"id":"34200","userId":34173,"amount":10,"description":"","params":{"amount":10,"createdBy":-2}}"#,
    r#"{"amount":10}"#,
    r#"{"payments":[{"id":"34204","userId":34173,"amount":15,"currency":null,"state":"created","created":"2025-04-29T00:51:19+02:00","updated":"2025-04-29T00:51:19+02:00","expires":null,"paymentNo":"5","provider":"external","description":""}],"count":1}"#,
    r#"{"users":[{"id":1176,"username":"helpdesk","fullname":"Help Desk","email":"h@example.edu"}],"count":1}"#,
    r#"{"accounts":[{"id":1,"reference":"internalaccount","name":"Internal account","limits":{"price":120.5}}],"count":1}"#,
    r#"{"access_token":"abc","token_type":"Bearer","expires_in":1800,"scope":"credit users","refresh_token":"def"}"#,
    r#"{"code":400,"message":"Invalid operation","data":[]}"#,
];

const KEYS: &[&str] = &[
    "id",
    "userId",
    "amount",
    "state",
    "paymentNo",
    "payments",
    "providers",
    "users",
    "accounts",
    "limits",
    "price",
    "reference",
    "name",
    "username",
    "access_token",
    "token_type",
    "expires_in",
    "code",
    "message",
    "currency",
    "expires",
    "description",
    "count",
    "x",
];

/// xorshift64*: small, seeded, the same on every target.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn value(&mut self, depth: u32) -> Value {
        let leaf = depth >= 3;
        match self.below(if leaf { 7 } else { 9 }) {
            0 => Value::Null,
            1 => Value::Bool(self.below(2) == 0),
            2 => Value::from(self.next() as i64 >> self.below(64)),
            3 => {
                let special = [0.5, -1.0, 1e300, -0.0, 9_007_199_254_740_993.0, 1.005, 1e-7];
                serde_json::Number::from_f64(special[self.below(special.len())])
                    .map_or(Value::Null, Value::Number)
            }
            4 => Value::from(
                [
                    "",
                    "34200",
                    "-1",
                    "1e3",
                    "completed",
                    "ünï\u{1F4A5}",
                    "<b>x</b>",
                    "\"",
                    "9999999999999999999999",
                ][self.below(9)],
            ),
            5 => Value::from(KEYS[self.below(KEYS.len())]),
            6 => Value::from(self.below(1000) as u64),
            7 => Value::Array((0..self.below(4)).map(|_| self.value(depth + 1)).collect()),
            _ => Value::Object(
                (0..self.below(5))
                    .map(|_| {
                        (
                            KEYS[self.below(KEYS.len())].to_owned(),
                            self.value(depth + 1),
                        )
                    })
                    .collect(),
            ),
        }
    }

    /// `value` with one node, chosen at random, replaced by a random value.
    fn mutate(&mut self, value: &mut Value) {
        let replace_here = self.below(3) == 0;
        match value {
            Value::Array(items) if !items.is_empty() && !replace_here => {
                let i = self.below(items.len());
                self.mutate(&mut items[i]);
            }
            Value::Object(fields) if !fields.is_empty() && !replace_here => {
                let key = fields.keys().nth(self.below(fields.len())).unwrap().clone();
                if self.below(4) == 0 {
                    fields.remove(&key);
                } else {
                    self.mutate(fields.get_mut(&key).unwrap());
                }
            }
            _ => *value = self.value(1),
        }
    }

    fn document(&mut self) -> String {
        match self.below(10) {
            0 => ["", "{", "[1,", "nul", "\"open", "1", "<html>", "{\"a\":1}}"][self.below(8)]
                .to_owned(),
            1 | 2 => self.value(0).to_string(),
            _ => {
                let mut value: Value =
                    serde_json::from_str(SEEDS[self.below(SEEDS.len())]).unwrap();
                for _ in 0..=self.below(3) {
                    self.mutate(&mut value);
                }
                value.to_string()
            }
        }
    }
}

/// Reads `text` as every answer type; counts the reads that succeeded.
fn read_all(text: &str) -> usize {
    let results = [
        json::parse::<ProviderList>(text).is_ok(),
        json::parse::<UserList>(text).is_ok(),
        json::parse::<AccountList>(text).map(|a| a.credit()).is_ok(),
        json::parse::<CreatedPayment>(text).is_ok(),
        json::parse::<Committed>(text).is_ok(),
        json::parse::<PaymentList>(text).is_ok(),
        json::parse::<ErrorBody>(text).is_ok(),
        TokenAnswer::read(text).is_ok(),
    ];
    results.iter().filter(|ok| **ok).count()
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn random_answers_give_errors_never_panics() {
    let mut random = Random(0x5EED_1234_ABCD_0001);
    let mut accepted = 0;
    for _ in 0..DOCUMENTS {
        accepted += read_all(&random.document());
    }
    // Some mutations keep a document valid: the readers accept what they should, too.
    assert!(accepted > DOCUMENTS / 10, "only {accepted} reads succeeded");
    for seed in SEEDS {
        assert!(read_all(seed) >= 1, "the seed example {seed} reads");
    }
}

/// An answer nested 200,000 levels deep (arrays, objects, and both inside a real answer's field)
/// is refused with a clear error by every reader, never a stack overflow; one nested as deep as
/// the limit still reads.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn deeply_nested_answers_are_refused_not_overflowed() {
    const LEVELS: usize = 200_000;
    let arrays = format!("{}{}", "[".repeat(LEVELS), "]".repeat(LEVELS));
    let objects = format!("{}1{}", "{\"a\":".repeat(LEVELS), "}".repeat(LEVELS));
    let in_a_field = format!(r#"{{"payments":{arrays},"count":1}}"#);
    for text in [&arrays, &objects, &in_a_field] {
        assert_eq!(read_all(text), 0);
        let err = json::parse::<PaymentList>(text).unwrap_err();
        assert!(
            err == "not JSON" || err.contains("nests deeper than"),
            "a clear error: {err}"
        );
    }
    // 100 levels: serde_json (native) parses up to 128 and the browser any depth, so the
    // reader's own limit is what refuses it on both.
    let hundred = format!(
        r#"{{"payments":{}{},"count":1}}"#,
        "[".repeat(100),
        "]".repeat(100)
    );
    assert_eq!(
        json::parse::<Value>(&hundred).unwrap_err(),
        format!("the answer nests deeper than {} levels", json::MAX_DEPTH)
    );
    let deepest = format!(
        "{}{}",
        "[".repeat(json::MAX_DEPTH + 1),
        "]".repeat(json::MAX_DEPTH + 1)
    );
    assert!(json::parse::<Value>(&deepest).is_ok());
    let one_more = format!("[{deepest}]");
    assert!(json::parse::<Value>(&one_more).is_err());
}
