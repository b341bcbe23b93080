//! Credit amounts in hundredths, so that balances add up exactly.

use serde::{Serialize, Serializer};

/// An amount of credit in hundredths of the currency unit.
///
/// MyQ X speaks plain JSON numbers (`10`, `12.5`); keeping cents avoids the float drift that a
/// running balance of `f64` additions would collect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cents(pub i64);

impl Cents {
    /// Reads a JSON number exactly, from its decimal text: `None` unless it is a whole number of
    /// cents (`12.5` yes, `1.005` no) within ±10^13.
    pub fn from_json(number: &serde_json::Number) -> Option<Cents> {
        let text = number.to_string();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.as_str()),
        };
        // serde_json writes large or tiny floats with an exponent: never a plain amount.
        if digits.contains(['e', 'E']) {
            return None;
        }
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let fraction = fraction.trim_end_matches('0');
        if fraction.len() > 2 || whole.len() > 13 {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
        let cents = whole * 100 + fraction;
        Some(Cents(if negative { -cents } else { cents }))
    }

    /// The sum, or `None` past what an `i64` of cents holds: a balance never wraps or panics.
    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }

    /// The amount as MyQ writes it: an integer when whole, else a decimal.
    pub fn to_json(self) -> serde_json::Value {
        if self.0 % 100 == 0 {
            serde_json::Value::from(self.0 / 100)
        } else {
            serde_json::Value::from(self.0 as f64 / 100.0)
        }
    }
}

impl Serialize for Cents {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Cents {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = serde_json::Number::deserialize(deserializer)?;
        Cents::from_json(&number)
            .ok_or_else(|| serde::de::Error::custom("an amount with at most two decimals"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(text: &str) -> Option<Cents> {
        Cents::from_json(&serde_json::from_str(text).unwrap())
    }

    #[test]
    fn reads_whole_and_decimal_amounts() {
        assert_eq!(cents("10"), Some(Cents(1000)));
        assert_eq!(cents("12.5"), Some(Cents(1250)));
        assert_eq!(cents("0.30"), Some(Cents(30)));
        assert_eq!(cents("-3"), Some(Cents(-300)));
    }

    #[test]
    fn refuses_fractions_of_a_cent_and_huge_numbers() {
        assert_eq!(cents("1.005"), None);
        assert_eq!(cents("1e300"), None);
        assert_eq!(cents("123456789012345678"), None);
    }

    #[test]
    fn writes_integers_without_a_fraction() {
        assert_eq!(Cents(1000).to_json().to_string(), "10");
        assert_eq!(Cents(1250).to_json().to_string(), "12.5");
    }
}
