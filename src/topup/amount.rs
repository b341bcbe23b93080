//! Amounts as people type them, checked against the widget's bounds before any request.

use std::fmt;

use crate::api::Money;

/// The bounds of a typed amount (`min`, `max`, `step` attributes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmountRules {
    pub min: Money,
    pub max: Option<Money>,
    /// Amounts must be whole multiples of it.
    pub step: Option<Money>,
}

impl Default for AmountRules {
    fn default() -> Self {
        AmountRules {
            min: Money(1),
            max: None,
            step: None,
        }
    }
}

/// Why a typed amount is refused; the UI words it in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AmountError {
    Empty,
    NotANumber,
    NotPositive,
    TooManyDecimals,
    /// Beyond any credit account (more than twelve digits of whole units).
    TooLarge,
    BelowMin(Money),
    AboveMax(Money),
    OffStep(Money),
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountError::Empty => f.write_str("enter an amount"),
            AmountError::NotANumber => f.write_str("the amount is not a number"),
            AmountError::NotPositive => f.write_str("the amount must be more than zero"),
            AmountError::TooManyDecimals => f.write_str("the amount has more than two decimals"),
            AmountError::TooLarge => f.write_str("the amount is too large"),
            AmountError::BelowMin(min) => write!(f, "the amount must be at least {min}"),
            AmountError::AboveMax(max) => write!(f, "the amount must be at most {max}"),
            AmountError::OffStep(step) => {
                write!(f, "the amount must be a multiple of {step}")
            }
        }
    }
}

/// Twelve digits of whole units is far beyond any credit account, and keeps cents exact in an
/// `f64` (JavaScript's number) and in `i64` sums.
const MAX_WHOLE_DIGITS: usize = 12;

/// Reads an amount given as a JavaScript number (`topUp(12.5)`, `approve` resolving `{amount}`).
pub fn amount_from_number(number: f64) -> Result<Money, AmountError> {
    if !number.is_finite() {
        return Err(AmountError::NotANumber);
    }
    if number.abs() >= 10f64.powi(MAX_WHOLE_DIGITS as i32) {
        return Err(AmountError::TooLarge);
    }
    Money::from_number(number).ok_or(AmountError::TooManyDecimals)
}

/// Reads a decimal as typed: `12`, `12.5`, `12,50` (decimal comma), `1 000` (spaced thousands),
/// a leading `-`. At most two decimals.
pub fn parse_decimal(text: &str) -> Result<Money, AmountError> {
    let compact: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    if compact.is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, digits) = match compact.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, compact.strip_prefix('+').unwrap_or(&compact)),
    };
    let (whole, fraction) = match digits.find(['.', ',']) {
        Some(at) => (&digits[..at], &digits[at + 1..]),
        None => (digits, ""),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return Err(AmountError::NotANumber);
    }
    if fraction.trim_end_matches('0').len() > 2 {
        return Err(AmountError::TooManyDecimals);
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > MAX_WHOLE_DIGITS {
        return Err(AmountError::TooLarge);
    }
    let units: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| AmountError::NotANumber)?
    };
    let fraction = &fraction[..fraction.len().min(2)];
    let hundredths: i64 = format!("{fraction:0<2}")
        .parse()
        .map_err(|_| AmountError::NotANumber)?;
    let cents = units * 100 + hundredths;
    Ok(Money(if negative { -cents } else { cents }))
}

impl AmountRules {
    /// A typed amount, checked: the reason when it cannot be topped up.
    pub fn parse(&self, text: &str) -> Result<Money, AmountError> {
        self.check(parse_decimal(text)?)
    }

    /// Checks an amount against the bounds.
    pub fn check(&self, amount: Money) -> Result<Money, AmountError> {
        if amount.cents() <= 0 {
            return Err(AmountError::NotPositive);
        }
        if amount < self.min {
            return Err(AmountError::BelowMin(self.min));
        }
        if let Some(max) = self.max.filter(|max| amount > *max) {
            return Err(AmountError::AboveMax(max));
        }
        if let Some(step) = self.step.filter(|step| amount.cents() % step.cents() != 0) {
            return Err(AmountError::OffStep(step));
        }
        Ok(amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> AmountRules {
        AmountRules {
            min: Money(2_000),
            max: Some(Money(200_000)),
            step: Some(Money(50)),
        }
    }

    #[test]
    fn reads_amounts_as_people_type_them() {
        for (text, cents) in [
            ("100", 10_000),
            ("100.5", 10_050),
            ("100,50", 10_050),
            ("1 000", 100_000),
            (" 25 ", 2_500),
            ("20.", 2_000),
            ("020", 2_000),
        ] {
            assert_eq!(rules().parse(text), Ok(Money(cents)), "{text}");
        }
    }

    #[test]
    fn refuses_what_cannot_be_topped_up_with_the_reason() {
        let cases = [
            ("", AmountError::Empty),
            ("   ", AmountError::Empty),
            ("abc", AmountError::NotANumber),
            ("12a", AmountError::NotANumber),
            ("1.2.3", AmountError::NotANumber),
            ("1e3", AmountError::NotANumber),
            (".", AmountError::NotANumber),
            ("0", AmountError::NotPositive),
            ("-50", AmountError::NotPositive),
            ("0.00", AmountError::NotPositive),
            ("20.125", AmountError::TooManyDecimals),
            ("19.50", AmountError::BelowMin(Money(2_000))),
            ("2000.50", AmountError::AboveMax(Money(200_000))),
            ("99999999999999999", AmountError::TooLarge),
            ("20.25", AmountError::OffStep(Money(50))),
        ];
        for (text, error) in cases {
            assert_eq!(rules().parse(text), Err(error), "{text:?}");
        }
    }

    #[test]
    fn reads_javascript_numbers_saying_what_is_wrong() {
        assert_eq!(amount_from_number(12.5), Ok(Money(1_250)));
        assert_eq!(amount_from_number(1e14), Err(AmountError::TooLarge));
        assert_eq!(amount_from_number(-1e14), Err(AmountError::TooLarge));
        assert_eq!(amount_from_number(1.005), Err(AmountError::TooManyDecimals));
        assert_eq!(amount_from_number(f64::NAN), Err(AmountError::NotANumber));
        assert_eq!(
            amount_from_number(f64::INFINITY),
            Err(AmountError::NotANumber)
        );
        assert_eq!(AmountError::TooLarge.to_string(), "the amount is too large");
    }

    #[test]
    fn explains_in_plain_words() {
        assert_eq!(
            AmountError::AboveMax(Money(200_000)).to_string(),
            "the amount must be at most 2000.00"
        );
        assert_eq!(Money(-5).to_string(), "-0.05");
    }
}
