//! Why a payment was rolled back: kept typed, so the view words the widget's own reasons in the
//! reader's language, while MyQ X keeps one text ([`Reason::text`]) as the payment's description.

use super::amount::AmountError;
use crate::api::fit_description;

/// Why a payment was rolled back.
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    /// The host's payment step rejected it, in the host's words.
    Rejected(String),
    /// The host's payment step rejected it without a word.
    RejectedSilently,
    /// The host's payment step did not answer within the callback time limit.
    StepTimedOut { seconds: u32 },
    /// The host's payment step named an amount that cannot be committed.
    AmountRefused(AmountError),
    /// The approved amount could not be set on the payment.
    AmountNotChanged,
    /// The user canceled an unfinished payment in the widget.
    CanceledByUser,
    /// Found canceled at MyQ X, with the description it keeps.
    Found(String),
}

impl Reason {
    /// The reason with the host's or the server's words cut to what MyQ X keeps.
    pub fn fitted(self) -> Reason {
        match self {
            Reason::Rejected(text) => Reason::Rejected(fit_description(&text).to_owned()),
            Reason::Found(text) => Reason::Found(fit_description(&text).to_owned()),
            own => own,
        }
    }

    /// The text MyQ X keeps (in English where the widget writes it; the view words it anew).
    pub fn text(&self) -> String {
        match self {
            Reason::Rejected(text) | Reason::Found(text) => text.clone(),
            Reason::RejectedSilently => "Rejected by the payment step".into(),
            Reason::StepTimedOut { seconds } => {
                format!("The payment step did not answer within {seconds} s")
            }
            Reason::AmountRefused(err) => {
                format!("approve named an amount that cannot be committed: {err}")
            }
            Reason::AmountNotChanged => {
                "The amount could not be changed to the approved one.".into()
            }
            Reason::CanceledByUser => "Canceled by user".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Money;

    #[test]
    fn keeps_the_hosts_words_and_writes_its_own_in_english() {
        assert_eq!(
            Reason::Rejected("Karta zamítnuta".into()).text(),
            "Karta zamítnuta"
        );
        assert_eq!(
            Reason::StepTimedOut { seconds: 300 }.text(),
            "The payment step did not answer within 300 s"
        );
        assert_eq!(
            Reason::AmountRefused(AmountError::AboveMax(Money(200_000))).text(),
            "approve named an amount that cannot be committed: the amount must be at most 2000.00"
        );
        assert_eq!(Reason::CanceledByUser.text(), "Canceled by user");
    }
}
