//! The widget's words in English and Czech, chosen by `locale` or the page's language.

use crate::host::{AmountError, Money, PaymentState, ProblemKind, Progress, plain};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Cs,
}

impl Lang {
    /// Czech for `cs` and `cs-*`, English otherwise.
    pub fn of(tag: &str) -> Lang {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("cs") {
            Lang::Cs
        } else {
            Lang::En
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::Cs => &CS,
        }
    }
}

/// Fixed words; formatted ones are methods.
pub struct Texts {
    lang: Lang,
    pub loading: &'static str,
    pub credit: &'static str,
    pub top_up_credit: &'static str,
    pub amount: &'static str,
    pub presets: &'static str,
    /// Before the payment provider's name: "Payment via: External Payment Providers".
    pub paid_via: &'static str,
    pub close: &'static str,
    pub try_again: &'static str,
    pub recent: &'static str,
    pub unfinished: &'static str,
    pub finish: &'static str,
    pub cancel_payment: &'static str,
    pub canceled: &'static str,
    pub provider_disabled: &'static str,
    pub unavailable: &'static str,
    pub unfinished_problem: &'static str,
    pub cannot_start: &'static str,
    pub no: &'static str,
}

const EN: Texts = Texts {
    lang: Lang::En,
    loading: "Loading…",
    credit: "Credit",
    top_up_credit: "Top up credit",
    amount: "Amount",
    presets: "Preset amounts",
    paid_via: "Payment via",
    close: "Close",
    try_again: "Try again",
    recent: "Recent payments",
    unfinished: "Unfinished payment",
    finish: "Finish",
    cancel_payment: "Cancel payment",
    canceled: "The payment was canceled.",
    provider_disabled: "Top-ups are switched off in MyQ X. Please contact the administrator: \
                        External Payment Providers must be enabled in Settings > Credit.",
    unavailable: "The print server did not answer. Your credit was not changed.",
    unfinished_problem: "The payment could not be finished. It is listed below: finish it or \
                         cancel it.",
    cannot_start: "The top-up cannot start.",
    no: "No.",
};

const CS: Texts = Texts {
    lang: Lang::Cs,
    loading: "Načítání…",
    credit: "Kredit",
    top_up_credit: "Dobít kredit",
    amount: "Částka",
    presets: "Přednastavené částky",
    paid_via: "Platba přes",
    close: "Zavřít",
    try_again: "Zkusit znovu",
    recent: "Poslední platby",
    unfinished: "Nedokončená platba",
    finish: "Dokončit",
    cancel_payment: "Zrušit platbu",
    canceled: "Platba byla zrušena.",
    provider_disabled: "Dobíjení je v MyQ X vypnuté. Obraťte se prosím na správce: v Nastavení > \
                        Kredit musí být zapnuté External Payment Providers.",
    unavailable: "Tiskový server neodpověděl. Kredit se nezměnil.",
    unfinished_problem: "Platbu se nepodařilo dokončit. Najdete ji níže: dokončete ji, nebo ji \
                         zrušte.",
    cannot_start: "Dobíjení nelze spustit.",
    no: "č.",
};

impl Texts {
    fn is_cs(&self) -> bool {
        self.lang == Lang::Cs
    }

    /// An amount to edit, with the language's decimal mark: `100.50`, `100,50`.
    pub fn decimal(&self, amount: Money) -> String {
        let text = plain(amount);
        if self.is_cs() {
            text.replace('.', ",")
        } else {
            text
        }
    }

    /// The confirm button: "Top up 100,00 Kč".
    pub fn confirm(&self, amount: &str) -> String {
        if self.is_cs() {
            format!("Dobít {amount}")
        } else {
            format!("Top up {amount}")
        }
    }

    /// "Added 100.00 CZK (No. 5). New credit: 220.00 CZK.", with the payment's id when its
    /// number is not known yet.
    pub fn committed(
        &self,
        credited: &str,
        (payment_no, payment_id): (Option<&str>, &str),
        balance: Option<&str>,
    ) -> String {
        let number = match payment_no {
            Some(number) => format!(" ({} {number})", self.no),
            None => format!(
                " ({} {payment_id})",
                if self.is_cs() { "platba" } else { "payment" }
            ),
        };
        let (added, now) = if self.is_cs() {
            ("Připsáno", "Nový kredit")
        } else {
            ("Added", "New credit")
        };
        match balance {
            Some(balance) => format!("{added} {credited}{number}. {now}: {balance}."),
            None => format!("{added} {credited}{number}."),
        }
    }

    pub fn rolled_back(&self, reason: &str) -> String {
        if reason.is_empty() {
            self.canceled.to_owned()
        } else {
            format!("{} {reason}", self.canceled)
        }
    }

    pub fn problem(&self, kind: ProblemKind, server_message: &str) -> String {
        match kind {
            ProblemKind::ProviderDisabled => self.provider_disabled.to_owned(),
            ProblemKind::Unavailable => self.unavailable.to_owned(),
            ProblemKind::Unfinished => self.unfinished_problem.to_owned(),
            ProblemKind::Refused | ProblemKind::Input => server_message.to_owned(),
            ProblemKind::SignIn => {
                let failed = if self.is_cs() {
                    "Přihlášení k tiskovému serveru selhalo"
                } else {
                    "Signing in to the print server failed"
                };
                format!("{failed} ({server_message}).")
            }
        }
    }

    pub fn progress(&self, step: &Progress) -> &'static str {
        let cs = self.is_cs();
        match step {
            Progress::Creating | Progress::Created(_) => {
                if cs {
                    "Zakládám platbu…"
                } else {
                    "Creating the payment…"
                }
            }
            Progress::Approving(_) => {
                if cs {
                    "Čekám na schválení platby…"
                } else {
                    "Waiting for the payment step…"
                }
            }
            Progress::Updating(_) => {
                if cs {
                    "Upravuji částku…"
                } else {
                    "Updating the amount…"
                }
            }
            Progress::Committing(_) => {
                if cs {
                    "Připisuji kredit…"
                } else {
                    "Adding the credit…"
                }
            }
            Progress::Verifying(_) => {
                if cs {
                    "Ověřuji platbu…"
                } else {
                    "Checking the payment…"
                }
            }
            Progress::RollingBack(_) => {
                if cs {
                    "Ruším platbu…"
                } else {
                    "Canceling the payment…"
                }
            }
        }
    }

    pub fn state(&self, state: &PaymentState) -> &'static str {
        match (state, self.is_cs()) {
            (PaymentState::Created, false) => "unfinished",
            (PaymentState::Completed, false) => "completed",
            (PaymentState::Canceled, false) => "canceled",
            (PaymentState::Created, true) => "nedokončená",
            (PaymentState::Completed, true) => "dokončená",
            (PaymentState::Canceled, true) => "zrušená",
        }
    }

    /// Why a typed amount is refused; `limit` is the bound, formatted.
    pub fn amount_error(&self, error: &AmountError, limit: &str) -> String {
        let cs = self.is_cs();
        match error {
            AmountError::Empty => (if cs {
                "Zadejte částku."
            } else {
                "Enter an amount."
            })
            .into(),
            AmountError::NotANumber => (if cs {
                "Částka musí být číslo."
            } else {
                "The amount must be a number."
            })
            .into(),
            AmountError::NotPositive => (if cs {
                "Částka musí být větší než nula."
            } else {
                "The amount must be more than zero."
            })
            .into(),
            AmountError::TooManyDecimals => (if cs {
                "Nejvýše dvě desetinná místa."
            } else {
                "At most two decimal places."
            })
            .into(),
            AmountError::TooLarge => (if cs {
                "Částka je příliš vysoká."
            } else {
                "The amount is too large."
            })
            .into(),
            AmountError::BelowMin(_) => {
                if cs {
                    format!("Nejméně {limit}.")
                } else {
                    format!("At least {limit}.")
                }
            }
            AmountError::AboveMax(_) => {
                if cs {
                    format!("Nejvýše {limit}.")
                } else {
                    format!("At most {limit}.")
                }
            }
            AmountError::OffStep(_) => {
                if cs {
                    format!("Částka musí být násobkem {limit}.")
                } else {
                    format!("The amount must be a multiple of {limit}.")
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_czech_for_cs_tags_only() {
        assert_eq!(Lang::of("cs"), Lang::Cs);
        assert_eq!(Lang::of("cs-CZ"), Lang::Cs);
        assert_eq!(Lang::of("en-GB"), Lang::En);
        assert_eq!(Lang::of("sk"), Lang::En);
    }

    #[test]
    fn words_results_in_both_languages() {
        assert_eq!(
            EN.committed("100.00 CZK", (Some("5"), "34200"), Some("220.00 CZK")),
            "Added 100.00 CZK (No. 5). New credit: 220.00 CZK."
        );
        assert_eq!(
            CS.committed("100,00 Kč", (None, "34200"), None),
            "Připsáno 100,00 Kč (platba 34200)."
        );
        assert_eq!(CS.confirm("100,00 Kč"), "Dobít 100,00 Kč");
        assert!(EN.provider_disabled.contains("Settings > Credit"));
        assert!(CS.provider_disabled.contains("Nastavení > Kredit"));
    }
}
