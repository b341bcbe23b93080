//! Credit amounts in hundredths of the currency unit.

use std::fmt;
use std::ops::{Add, Sub};

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

    /// The amount as a number in currency units (`10.0`, `12.5`): for JavaScript.
    pub fn to_number(self) -> f64 {
        self.0 as f64 / 100.0
    }

    pub fn cents(self) -> i64 {
        self.0
    }
}

/// `1250` cents as `12.50`: for messages in English and attribute errors (the view formats
/// amounts with `Intl.NumberFormat`).
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let cents = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", cents / 100, cents % 100)
    }
}

/// Credits add up in whole cents; a sum past any account saturates rather than wraps.
impl Add for Money {
    type Output = Money;

    fn add(self, other: Money) -> Money {
        Money(self.0.saturating_add(other.0))
    }
}

/// What is left of one amount after another, in whole cents (negative when the other is larger);
/// saturating like [`Add`].
impl Sub for Money {
    type Output = Money;

    fn sub(self, other: Money) -> Money {
        Money(self.0.saturating_sub(other.0))
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
    fn adds_and_prints_in_whole_cents() {
        assert_eq!(Money(1250) + Money(5), Money(1255));
        assert_eq!(Money(i64::MAX) + Money(1), Money(i64::MAX));
        assert_eq!(Money(1250) - Money(1300), Money(-50));
        assert_eq!(Money(i64::MIN) - Money(1), Money(i64::MIN));
        assert_eq!(Money(1250).to_string(), "12.50");
        assert_eq!(Money(-5).to_string(), "-0.05");
    }
}
