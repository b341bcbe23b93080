//! Credit amounts in hundredths, so that balances add up exactly.

use serde::{Serialize, Serializer};

/// An amount of credit in hundredths of the currency unit.
///
/// MyQ X speaks plain JSON numbers (`10`, `12.5`); keeping cents avoids the float drift that a
/// running balance of `f64` additions would collect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cents(pub i64);

impl Cents {
    /// Reads a JSON number as an amount; `None` when it is not a finite number of whole cents.
    pub fn from_number(value: f64) -> Option<Cents> {
        if !value.is_finite() || value.abs() > 1e13 {
            return None;
        }
        let scaled = value * 100.0;
        let rounded = scaled.round();
        ((scaled - rounded).abs() < 1e-6).then_some(Cents(rounded as i64))
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
        let value = f64::deserialize(deserializer)?;
        Cents::from_number(value)
            .ok_or_else(|| serde::de::Error::custom("an amount with at most two decimals"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_whole_and_decimal_amounts() {
        assert_eq!(Cents::from_number(10.0), Some(Cents(1000)));
        assert_eq!(Cents::from_number(12.5), Some(Cents(1250)));
        assert_eq!(Cents::from_number(0.1 + 0.2), Some(Cents(30)));
        assert_eq!(Cents::from_number(-3.0), Some(Cents(-300)));
    }

    #[test]
    fn refuses_fractions_of_a_cent_and_non_numbers() {
        assert_eq!(Cents::from_number(1.005), None);
        assert_eq!(Cents::from_number(f64::NAN), None);
        assert_eq!(Cents::from_number(f64::INFINITY), None);
    }

    #[test]
    fn writes_integers_without_a_fraction() {
        assert_eq!(Cents(1000).to_json().to_string(), "10");
        assert_eq!(Cents(1250).to_json().to_string(), "12.5");
    }
}
