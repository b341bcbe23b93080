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

    /// The amount as a JSON number (`10`, `12.5`).
    pub fn to_number(self) -> f64 {
        self.0 as f64 / 100.0
    }

    pub fn cents(self) -> i64 {
        self.0
    }

    /// The amount as JSON number text, without a float printer: `10`, `12.5`, `-0.05`.
    pub fn to_json_number(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let (units, hundredths) = (self.0.unsigned_abs() / 100, self.0.unsigned_abs() % 100);
        match hundredths {
            0 => format!("{sign}{units}"),
            h if h % 10 == 0 => format!("{sign}{units}.{}", h / 10),
            h => format!("{sign}{units}.{h:02}"),
        }
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
        assert_eq!(Money(1000).to_json_number(), "10");
        assert_eq!(Money(1250).to_json_number(), "12.5");
        assert_eq!(Money(1205).to_json_number(), "12.05");
        assert_eq!(Money(-5).to_json_number(), "-0.05");
        assert_eq!(Money(0).to_json_number(), "0");
        for cents in (-100_000..100_000).step_by(7) {
            let number: f64 = Money(cents).to_json_number().parse().unwrap();
            assert_eq!(Money::from_number(number), Some(Money(cents)));
        }
    }
}
