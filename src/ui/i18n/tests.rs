use super::*;
use crate::host::{ConfigError, PaymentState};

/// Amounts as the tests write them: `12.50`.
fn money(amount: Money) -> String {
    amount.to_string()
}

fn refused(status: u16, message: &str) -> ApiError {
    let failure = Failure::Refused {
        status,
        code: None,
        message: message.into(),
    };
    ApiError::new(Operation::CreatePayment, failure)
}

fn token_source(failure: TokenSourceFailure) -> Problem {
    Problem::Api(ApiError::new(
        Operation::Token,
        Failure::TokenSource(failure),
    ))
}

const ALL: [&Texts; 4] = [&EN, &CS, &SK, &DE];

#[test]
fn picks_the_table_by_the_primary_language_subtag() {
    assert_eq!(Texts::of("cs").language, CS.language);
    assert_eq!(Texts::of("cs-CZ").language, CS.language);
    assert_eq!(Texts::of("SK_sk").language, SK.language);
    assert_eq!(Texts::of("de-AT").language, DE.language);
    assert_eq!(Texts::of("en-GB").language, EN.language);
    assert_eq!(Texts::of("pl").language, EN.language);
    assert_eq!(Texts::of("").language, EN.language);
}

#[test]
fn no_table_has_an_empty_word() {
    for texts in ALL {
        for word in texts.all() {
            assert!(!word.trim().is_empty(), "{}", texts.language);
        }
    }
}

#[test]
fn every_translation_differs_from_english_word_for_word() {
    for texts in [&CS, &SK, &DE] {
        for (word, english) in texts.all().into_iter().zip(EN.all()) {
            assert_ne!(word, english, "{} leaves English in place", texts.language);
        }
    }
}

#[test]
fn patterns_keep_their_placeholder_and_fixed_words_have_none() {
    let patterns = |texts: &Texts| -> Vec<bool> {
        texts.all().iter().map(|word| word.contains("{}")).collect()
    };
    for texts in ALL {
        assert_eq!(patterns(texts), patterns(&EN), "{}", texts.language);
    }
}

#[test]
fn words_results_with_the_payment_number_or_id() {
    assert_eq!(
        EN.committed("100.00 CZK", (Some("5"), "34200"), Some("220.00 CZK")),
        "Added 100.00 CZK (No. 5). New credit: 220.00 CZK."
    );
    assert_eq!(
        CS.committed("100,00 Kč", (None, "34200"), None),
        "Připsáno 100,00 Kč (platba 34200)."
    );
    assert_eq!(
        DE.committed("100,00 €", (Some("5"), "34200"), Some("220,00 €")),
        "Gutgeschrieben: 100,00 € (Nr. 5). Neues Guthaben: 220,00 €."
    );
    assert_eq!(CS.confirm("100,00 Kč"), "Dobít 100,00 Kč");
    assert_eq!(DE.confirm("100,00 €"), "100,00 € aufladen");
    assert_eq!(
        SK.rolled_back(&Reason::Rejected("Karta zamietnutá".into()), money),
        "Platba bola zrušená. Karta zamietnutá"
    );
    assert_eq!(
        SK.rolled_back(&Reason::CanceledByUser, money),
        "Platba bola zrušená."
    );
    assert_eq!(
        CS.rolled_back(&Reason::StepTimedOut { seconds: 300 }, money),
        "Platba byla zrušena. Platební krok neodpověděl do 300 s."
    );
    assert_eq!(
        DE.rolled_back(
            &Reason::AmountRefused(AmountError::AboveMax(Money(200_000))),
            money
        ),
        format!("{} {}", DE.canceled, fill(DE.at_most, "2000.00"))
    );
    assert_eq!(
        CS.rolled_back(&Reason::RejectedSilently, money),
        "Platba byla zrušena. Platební krok ji odmítl."
    );
    assert_eq!(DE.state(&PaymentState::Canceled), "storniert");
}

#[test]
fn amounts_to_edit_take_the_languages_decimal_mark() {
    assert_eq!(EN.decimal(Money(10_050)), "100.50");
    assert_eq!(CS.decimal(Money(10_050)), "100,50");
    assert_eq!(DE.decimal(Money(5)), "0,05");
}

#[test]
fn counts_take_the_plural_form_intl_picks() {
    let forms = |texts: &Texts| {
        [(1, "one"), (2, "few"), (5, "other")].map(|(n, category)| texts.unfinished(n, category))
    };
    assert_eq!(
        forms(&CS),
        [
            "1 nedokončená platba",
            "2 nedokončené platby",
            "5 nedokončených plateb"
        ]
    );
    assert_eq!(
        forms(&SK),
        [
            "1 nedokončená platba",
            "2 nedokončené platby",
            "5 nedokončených platieb"
        ]
    );
    assert_eq!(DE.unfinished(2, "other"), "2 offene Zahlungen");
    assert_eq!(EN.unfinished(1, "one"), "1 unfinished payment");
    // Czech `many` (fractions) never names a count of payments; it reads as `other`.
    assert_eq!(CS.unfinished(5, "many"), "5 nedokončených plateb");
}

#[test]
fn amount_refusals_name_the_bound_formatted() {
    assert_eq!(
        CS.amount_error(&AmountError::BelowMin(Money(2_000)), money),
        "Nejméně 20.00."
    );
    assert_eq!(
        DE.amount_error(&AmountError::OffStep(Money(50)), money),
        "Der Betrag muss ein Vielfaches von 0.50 sein."
    );
    assert_eq!(SK.amount_error(&AmountError::Empty, money), "Zadajte sumu.");
}

#[test]
fn problems_are_worded_in_the_language_with_only_the_servers_message_verbatim() {
    let config = Problem::Config(ConfigError {
        attribute: "base-url",
        message: "is required".into(),
    });
    assert_eq!(
        CS.problem(&config, money),
        "Zkontrolujte atribut widgetu base-url."
    );
    let server = Problem::Api(refused(400, "params.amount is required."));
    assert_eq!(
        CS.problem(&server, money),
        "Tiskový server požadavek odmítl: params.amount is required."
    );
    assert_eq!(
        DE.problem(&Problem::Api(refused(404, "")), money),
        "Der Druckserver hat abgelehnt: HTTP 404"
    );
    let disabled = Problem::Api(refused(400, crate::api::PROVIDER_DISABLED));
    assert_eq!(SK.problem(&disabled, money), SK.provider_disabled);
    assert_eq!(
        CS.problem(&Problem::Api(refused(503, "Busy")), money),
        CS.unavailable
    );
    let contract = ApiError::contract(Operation::Providers, "not JSON");
    assert_eq!(
        EN.problem(&Problem::Api(contract), money),
        EN.unexpected_answer
    );
    let unfinished = Problem::Unfinished {
        payment_id: "34200".into(),
        error: ApiError::new(Operation::CommitPayment, Failure::Timeout),
    };
    assert_eq!(DE.problem(&unfinished, money), DE.unfinished_problem);
    let unknown = Problem::Start(StartError::UnknownUser("jnovak".into()));
    assert_eq!(
        SK.problem(&unknown, money),
        "MyQ X nepozná používateľa jnovak."
    );
    let amount = Problem::Amount(AmountError::AboveMax(Money(200_000)));
    assert_eq!(EN.problem(&amount, money), "At most 2000.00.");
}

#[test]
fn a_token_source_that_gives_no_token_is_not_the_servers_fault() {
    assert_eq!(
        CS.problem(&token_source(TokenSourceFailure::Missing), money),
        CS.no_token_source
    );
    assert_eq!(
        CS.problem(
            &token_source(TokenSourceFailure::Rejected("SSO vypršelo".into())),
            money
        ),
        "Přihlášení selhalo: SSO vypršelo"
    );
    assert_eq!(
        DE.problem(&token_source(TokenSourceFailure::TimedOut(300_000)), money),
        "Die Anmeldung wurde nicht innerhalb von 300 s abgeschlossen."
    );
    let endpoint = ApiError::new(
        Operation::Token,
        Failure::Refused {
            status: 500,
            code: None,
            message: String::new(),
        },
    );
    assert_eq!(SK.problem(&Problem::Api(endpoint), money), SK.no_token);
}

#[test]
fn words_the_desk_in_every_language() {
    assert_eq!(
        EN.credit_cash("100.00 CZK", false),
        "Credit cash 100.00 CZK"
    );
    assert_eq!(
        EN.credit_cash("100.00 CZK", true),
        "Confirm: 100.00 CZK in cash"
    );
    assert_eq!(
        CS.credit_cash("100,00 Kč", true),
        "Potvrdit: 100,00 Kč v hotovosti"
    );
    assert_eq!(SK.no_match("S1"), "Hľadaniu S1 nezodpovedá nikto.");
    assert_eq!(DE.found(3), "Gefundene Benutzer: 3");
    for texts in ALL {
        let choices: Vec<_> = FindBy::ALL
            .into_iter()
            .map(|by| texts.find_by_choice(by))
            .collect();
        let mut distinct = choices.clone();
        distinct.dedup();
        assert_eq!(
            distinct, choices,
            "{}: every choice has its own words",
            texts.language
        );
    }
}

#[test]
fn words_the_shift_and_its_flags_in_every_language() {
    let forms = |texts: &Texts| {
        [(1, "one"), (3, "few"), (5, "other")].map(|(n, category)| texts.credits(n, category))
    };
    assert_eq!(forms(&EN), ["1 credit", "3 credits", "5 credits"]);
    assert_eq!(forms(&SK), ["1 dobitie", "3 dobitia", "5 dobití"]);
    assert_eq!(
        forms(&DE),
        ["1 Gutschrift", "3 Gutschriften", "5 Gutschriften"]
    );
    assert_eq!(CS.credits(3, "few"), "3 dobití");
    let refused = |error| Problem::FlagReason(error);
    for texts in ALL {
        let words = [
            texts.problem(&refused(FlagReasonError::Empty), money),
            texts.problem(&refused(FlagReasonError::TooLong), money),
            texts.problem(&refused(FlagReasonError::NotOneLine), money),
        ];
        assert_eq!(words[0], texts.desk.reason_empty);
        assert_eq!(words[1], texts.desk.reason_too_long);
        assert_eq!(words[2], texts.desk.reason_one_line);
    }
    assert_eq!(
        CS.problem(&refused(FlagReasonError::Empty), money),
        "Uveďte, proč je dobití chybné."
    );
}
