//! Credit amounts in hundredths of the currency unit.

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
}
