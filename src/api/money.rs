//! Credit amounts in hundredths of the currency unit.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount of credit in hundredths (cents, haléře).
///
/// MyQ X sends plain JSON numbers; summing those as `f64` drifts, so amounts are whole cents
/// from the wire on, and only become numbers again when sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

impl Money {
    /// A wire number as money, when it is finite and has at most two decimals.
    pub fn from_number(value: f64) -> Option<Money> {
        if !value.is_finite() || value.abs() > 1e13 {
            return None;
        }
        let scaled = value * 100.0;
        let rounded = scaled.round();
        ((scaled - rounded).abs() < 1e-6).then_some(Money(rounded as i64))
    }

    /// The amount as a JSON number (`10`, `12.5`).
    pub fn to_number(self) -> f64 {
        self.0 as f64 / 100.0
    }

    pub fn cents(self) -> i64 {
        self.0
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            serializer.serialize_i64(self.0 / 100)
        } else {
            serializer.serialize_f64(self.to_number())
        }
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = crate::api::wire::number(deserializer)?;
        Money::from_number(number)
            .ok_or_else(|| serde::de::Error::custom(format!("{number} is not an amount of credit")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wire_numbers_as_cents() {
        assert_eq!(Money::from_number(10.0), Some(Money(1000)));
        assert_eq!(Money::from_number(0.1 + 0.2), Some(Money(30)));
        assert_eq!(Money::from_number(1.005), None);
        assert_eq!(Money::from_number(f64::NAN), None);
    }

    #[test]
    fn writes_whole_amounts_as_integers() {
        assert_eq!(serde_json::to_string(&Money(1000)).unwrap(), "10");
        assert_eq!(serde_json::to_string(&Money(1250)).unwrap(), "12.5");
    }
}
