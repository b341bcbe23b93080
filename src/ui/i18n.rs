//! The widget's words: one table per language, chosen by `locale` or the page's language.
//!
//! A language is one [`Texts`] table, its help desk's [`DeskTexts`] table, and an entry in
//! [`TRANSLATED`]. In patterns, `{}` stands for the value filled in: an amount formatted by
//! `Intl.NumberFormat`, a count, a name.

use crate::host::{
    AmountError, ApiError, Failure, FindBy, FlagReasonError, Money, Operation, PaymentState,
    Problem, Progress, Reason, StartError, TokenSourceFailure,
};

/// A phrase with a count, in the forms `Intl.PluralRules` picks between.
pub struct Plural {
    pub one: &'static str,
    /// Czech and Slovak 2–4; English and German use `other`.
    pub few: &'static str,
    pub other: &'static str,
}

impl Plural {
    /// The form for `Intl.PluralRules`' category (`one`, `few`, `many`, `other`).
    pub fn form(&self, category: &str) -> &'static str {
        match category {
            "one" => self.one,
            "few" => self.few,
            _ => self.other,
        }
    }
}

/// One language's words; formatted ones are patterns filled by the methods.
pub struct Texts {
    /// The primary language subtag of the BCP 47 tags this table is for.
    pub language: &'static str,
    /// The mark an amount to edit is written with.
    pub decimal_mark: char,
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
    /// The heading of unfinished payments, with their count.
    pub unfinished: Plural,
    pub finish: &'static str,
    pub cancel_payment: &'static str,
    /// The confirm button: `{}` is the amount.
    pub confirm: &'static str,
    /// A commit's result: `{}` is the amount credited.
    pub added: &'static str,
    pub new_credit: &'static str,
    /// Before a payment's number: "No. 5".
    pub number: &'static str,
    /// Before a payment's id, when its number is not known yet.
    pub payment: &'static str,
    pub canceled: &'static str,
    pub creating: &'static str,
    pub approving: &'static str,
    pub updating: &'static str,
    pub committing: &'static str,
    pub verifying: &'static str,
    pub rolling_back: &'static str,
    pub state_created: &'static str,
    pub state_completed: &'static str,
    pub state_canceled: &'static str,
    pub enter_amount: &'static str,
    pub not_a_number: &'static str,
    pub not_positive: &'static str,
    pub too_many_decimals: &'static str,
    pub too_large: &'static str,
    pub at_least: &'static str,
    pub at_most: &'static str,
    pub multiple_of: &'static str,
    pub cannot_start: &'static str,
    /// `{}` is the attribute's name.
    pub config: &'static str,
    pub unknown_user: &'static str,
    pub ambiguous_user: &'static str,
    pub provider_disabled: &'static str,
    pub unavailable: &'static str,
    pub unexpected_answer: &'static str,
    /// `{}` is the server's own message, shown as it came.
    pub refused: &'static str,
    pub unfinished_problem: &'static str,
    pub no_token: &'static str,
    pub no_token_source: &'static str,
    /// `{}` is the message the page's `tokenProvider` failed with.
    pub sign_in_failed: &'static str,
    /// `{}` is the time limit in seconds.
    pub sign_in_timed_out: &'static str,
    /// Why a payment was canceled, after `canceled`: the host's payment step said no.
    pub step_rejected: &'static str,
    /// `{}` is the time limit in seconds.
    pub step_timed_out: &'static str,
    pub amount_not_changed: &'static str,
    /// The help desk's words.
    pub desk: &'static DeskTexts,
}

/// The help desk's words (`<myq-topup desk>`), one table per language beside its [`Texts`].
pub struct DeskTexts {
    /// The desk's find field.
    pub find_label: &'static str,
    pub find_by: &'static str,
    pub by_auto: &'static str,
    pub by_username: &'static str,
    pub by_email: &'static str,
    pub by_card: &'static str,
    pub by_code: &'static str,
    pub find: &'static str,
    pub finding: &'static str,
    /// `{}` is what was looked for.
    pub no_match: &'static str,
    /// `{}` is how many users match.
    pub found: &'static str,
    pub more_found: &'static str,
    pub user: &'static str,
    pub next_user: &'static str,
    /// The desk's submit button: `{}` is the amount.
    pub credit_cash: &'static str,
    /// The desk's second press: `{}` is the amount.
    pub confirm_cash: &'static str,
    pub receipt: &'static str,
    pub date_time: &'static str,
    pub operator: &'static str,
    pub receipt_payment: &'static str,
    pub print_receipt: &'static str,
    // The desk's shift: the operator's cash credits since a day, and flags on mistakes.
    /// The find view's button that opens the shift, and the shift's heading.
    pub shift: &'static str,
    pub since: &'static str,
    pub show: &'static str,
    /// How many credits the shift has.
    pub credits: Plural,
    pub total: &'static str,
    /// Before how many credits are flagged, and before a credit's flag.
    pub flagged: &'static str,
    pub no_credits: &'static str,
    pub time: &'static str,
    pub download_csv: &'static str,
    pub back_to_find: &'static str,
    /// A credit's button that opens its flag form.
    pub flag_mistake: &'static str,
    pub flag_reason: &'static str,
    /// The flag form's submit button.
    pub flag: &'static str,
    pub cancel: &'static str,
    pub reason_empty: &'static str,
    pub reason_too_long: &'static str,
    pub reason_one_line: &'static str,
}

/// A language's desk table in the build with the help desk (the crate's `desk` feature); in the
/// student's build, which shows none of them, no words at all, so that its bundle carries none.
const fn desk_words(table: &'static DeskTexts) -> &'static DeskTexts {
    if cfg!(feature = "desk") {
        table
    } else {
        &NO_DESK
    }
}

/// The student's build's desk table: its views never show a desk.
static NO_DESK: DeskTexts = DeskTexts {
    find_label: "",
    find_by: "",
    by_auto: "",
    by_username: "",
    by_email: "",
    by_card: "",
    by_code: "",
    find: "",
    finding: "",
    no_match: "",
    found: "",
    more_found: "",
    user: "",
    next_user: "",
    credit_cash: "",
    confirm_cash: "",
    receipt: "",
    date_time: "",
    operator: "",
    receipt_payment: "",
    print_receipt: "",
    shift: "",
    since: "",
    show: "",
    credits: Plural {
        one: "",
        few: "",
        other: "",
    },
    total: "",
    flagged: "",
    no_credits: "",
    time: "",
    download_csv: "",
    back_to_find: "",
    flag_mistake: "",
    flag_reason: "",
    flag: "",
    cancel: "",
    reason_empty: "",
    reason_too_long: "",
    reason_one_line: "",
};

pub static EN: Texts = Texts {
    language: "en",
    decimal_mark: '.',
    loading: "Loading…",
    credit: "Credit",
    top_up_credit: "Top up credit",
    amount: "Amount",
    presets: "Preset amounts",
    paid_via: "Payment via",
    close: "Close",
    try_again: "Try again",
    recent: "Recent payments",
    unfinished: Plural {
        one: "{} unfinished payment",
        few: "{} unfinished payments",
        other: "{} unfinished payments",
    },
    finish: "Finish",
    cancel_payment: "Cancel payment",
    confirm: "Top up {}",
    added: "Added {}",
    new_credit: "New credit",
    number: "No.",
    payment: "payment",
    canceled: "The payment was canceled.",
    creating: "Creating the payment…",
    approving: "Waiting for the payment step…",
    updating: "Updating the amount…",
    committing: "Adding the credit…",
    verifying: "Checking the payment…",
    rolling_back: "Canceling the payment…",
    state_created: "unfinished",
    state_completed: "completed",
    state_canceled: "canceled",
    enter_amount: "Enter an amount.",
    not_a_number: "The amount must be a number.",
    not_positive: "The amount must be more than zero.",
    too_many_decimals: "At most two decimal places.",
    too_large: "The amount is too large.",
    at_least: "At least {}.",
    at_most: "At most {}.",
    multiple_of: "The amount must be a multiple of {}.",
    cannot_start: "The top-up cannot start.",
    config: "Check the widget's {} attribute.",
    unknown_user: "MyQ X has no user {}.",
    ambiguous_user: "{} matches several MyQ X users.",
    provider_disabled: "Top-ups are switched off in MyQ X. Please contact the administrator: \
                        External Payment Providers must be enabled in Settings > Credit.",
    unavailable: "The print server did not answer. Your credit was not changed.",
    unexpected_answer: "The print server gave an unexpected answer.",
    refused: "The print server refused: {}",
    unfinished_problem: "The payment could not be finished. It is listed below: finish it or \
                         cancel it.",
    no_token: "Signing in to the print server failed: no token.",
    no_token_source: "The page gives the widget no way to sign in (token-url or tokenProvider).",
    sign_in_failed: "Signing in failed: {}",
    sign_in_timed_out: "Signing in did not finish within {} s.",
    step_rejected: "The payment step declined it.",
    step_timed_out: "The payment step did not answer within {} s.",
    amount_not_changed: "The approved amount could not be set.",
    desk: desk_words(&EN_DESK),
};

pub static EN_DESK: DeskTexts = DeskTexts {
    find_label: "Find a user",
    find_by: "Find by",
    by_auto: "Anything",
    by_username: "Username",
    by_email: "Email",
    by_card: "Card number",
    by_code: "Personal code",
    find: "Find",
    finding: "Finding…",
    no_match: "Nobody matches {}.",
    found: "Users found: {}",
    more_found: "More users match: search more precisely.",
    user: "User",
    next_user: "Next user",
    credit_cash: "Credit cash {}",
    confirm_cash: "Confirm: {} in cash",
    receipt: "Receipt",
    date_time: "Date and time",
    operator: "Operator",
    receipt_payment: "Payment no.",
    print_receipt: "Print receipt",
    shift: "Shift",
    since: "Since",
    show: "Show",
    credits: Plural {
        one: "{} credit",
        few: "{} credits",
        other: "{} credits",
    },
    total: "Total",
    flagged: "Flagged as a mistake",
    no_credits: "No cash credits since then.",
    time: "Time",
    download_csv: "Download CSV",
    back_to_find: "Back to finding users",
    flag_mistake: "Flag as a mistake",
    flag_reason: "Why is this credit a mistake?",
    flag: "Flag",
    cancel: "Cancel",
    reason_empty: "Say why the credit is a mistake.",
    reason_too_long: "The reason is at most 255 characters.",
    reason_one_line: "The reason is one line of text.",
};

pub static CS: Texts = Texts {
    language: "cs",
    decimal_mark: ',',
    loading: "Načítání…",
    credit: "Kredit",
    top_up_credit: "Dobít kredit",
    amount: "Částka",
    presets: "Přednastavené částky",
    paid_via: "Platba přes",
    close: "Zavřít",
    try_again: "Zkusit znovu",
    recent: "Poslední platby",
    unfinished: Plural {
        one: "{} nedokončená platba",
        few: "{} nedokončené platby",
        other: "{} nedokončených plateb",
    },
    finish: "Dokončit",
    cancel_payment: "Zrušit platbu",
    confirm: "Dobít {}",
    added: "Připsáno {}",
    new_credit: "Nový kredit",
    number: "č.",
    payment: "platba",
    canceled: "Platba byla zrušena.",
    creating: "Zakládám platbu…",
    approving: "Čekám na schválení platby…",
    updating: "Upravuji částku…",
    committing: "Připisuji kredit…",
    verifying: "Ověřuji platbu…",
    rolling_back: "Ruším platbu…",
    state_created: "nedokončená",
    state_completed: "dokončená",
    state_canceled: "zrušená",
    enter_amount: "Zadejte částku.",
    not_a_number: "Částka musí být číslo.",
    not_positive: "Částka musí být větší než nula.",
    too_many_decimals: "Nejvýše dvě desetinná místa.",
    too_large: "Částka je příliš vysoká.",
    at_least: "Nejméně {}.",
    at_most: "Nejvýše {}.",
    multiple_of: "Částka musí být násobkem {}.",
    cannot_start: "Dobíjení nelze spustit.",
    config: "Zkontrolujte atribut widgetu {}.",
    unknown_user: "MyQ X nezná uživatele {}.",
    ambiguous_user: "Jménu {} odpovídá více uživatelů MyQ X.",
    provider_disabled: "Dobíjení je v MyQ X vypnuté. Obraťte se prosím na správce: v Nastavení > \
                        Kredit musí být zapnuté External Payment Providers.",
    unavailable: "Tiskový server neodpověděl. Kredit se nezměnil.",
    unexpected_answer: "Tiskový server odpověděl neočekávaně.",
    refused: "Tiskový server požadavek odmítl: {}",
    unfinished_problem: "Platbu se nepodařilo dokončit. Najdete ji níže: dokončete ji, nebo ji \
                         zrušte.",
    no_token: "Přihlášení k tiskovému serveru selhalo: chybí token.",
    no_token_source: "Stránka widgetu nedává přihlášení (token-url nebo tokenProvider).",
    sign_in_failed: "Přihlášení selhalo: {}",
    sign_in_timed_out: "Přihlášení nebylo dokončeno do {} s.",
    step_rejected: "Platební krok ji odmítl.",
    step_timed_out: "Platební krok neodpověděl do {} s.",
    amount_not_changed: "Schválenou částku se nepodařilo nastavit.",
    desk: desk_words(&CS_DESK),
};

pub static CS_DESK: DeskTexts = DeskTexts {
    find_label: "Najít uživatele",
    find_by: "Hledat podle",
    by_auto: "Cokoli",
    by_username: "Uživatelské jméno",
    by_email: "E-mail",
    by_card: "Číslo karty",
    by_code: "Osobní číslo",
    find: "Najít",
    finding: "Hledám…",
    no_match: "Hledání {} neodpovídá nikdo.",
    found: "Nalezení uživatelé: {}",
    more_found: "Odpovídá více uživatelů: hledejte přesněji.",
    user: "Uživatel",
    next_user: "Další uživatel",
    credit_cash: "Připsat hotovost {}",
    confirm_cash: "Potvrdit: {} v hotovosti",
    receipt: "Potvrzení o vkladu",
    date_time: "Datum a čas",
    operator: "Obsluha",
    receipt_payment: "Číslo platby",
    print_receipt: "Vytisknout potvrzení",
    shift: "Směna",
    since: "Od",
    show: "Zobrazit",
    credits: Plural {
        one: "{} dobití",
        few: "{} dobití",
        other: "{} dobití",
    },
    total: "Celkem",
    flagged: "Označeno jako chyba",
    no_credits: "Od té doby žádné dobití v hotovosti.",
    time: "Čas",
    download_csv: "Stáhnout CSV",
    back_to_find: "Zpět k hledání uživatelů",
    flag_mistake: "Označit jako chybu",
    flag_reason: "Proč je toto dobití chybné?",
    flag: "Označit",
    cancel: "Zrušit",
    reason_empty: "Uveďte, proč je dobití chybné.",
    reason_too_long: "Důvod může mít nejvýše 255 znaků.",
    reason_one_line: "Důvod musí být jeden řádek textu.",
};

pub static SK: Texts = Texts {
    language: "sk",
    decimal_mark: ',',
    loading: "Načítava sa…",
    credit: "Kredit",
    top_up_credit: "Dobiť kredit",
    amount: "Suma",
    presets: "Prednastavené sumy",
    paid_via: "Platba cez",
    close: "Zavrieť",
    try_again: "Skúsiť znova",
    recent: "Posledné platby",
    unfinished: Plural {
        one: "{} nedokončená platba",
        few: "{} nedokončené platby",
        other: "{} nedokončených platieb",
    },
    finish: "Dokončiť",
    cancel_payment: "Zrušiť platbu",
    confirm: "Dobiť {}",
    added: "Pripísané {}",
    new_credit: "Nový kredit",
    number: "č.",
    payment: "platba",
    canceled: "Platba bola zrušená.",
    creating: "Zakladám platbu…",
    approving: "Čakám na schválenie platby…",
    updating: "Upravujem sumu…",
    committing: "Pripisujem kredit…",
    verifying: "Overujem platbu…",
    rolling_back: "Ruším platbu…",
    state_created: "nedokončená",
    state_completed: "dokončená",
    state_canceled: "zrušená",
    enter_amount: "Zadajte sumu.",
    not_a_number: "Suma musí byť číslo.",
    not_positive: "Suma musí byť väčšia ako nula.",
    too_many_decimals: "Najviac dve desatinné miesta.",
    too_large: "Suma je príliš vysoká.",
    at_least: "Najmenej {}.",
    at_most: "Najviac {}.",
    multiple_of: "Suma musí byť násobkom {}.",
    cannot_start: "Dobíjanie nemožno spustiť.",
    config: "Skontrolujte atribút widgetu {}.",
    unknown_user: "MyQ X nepozná používateľa {}.",
    ambiguous_user: "Menu {} zodpovedá viac používateľov MyQ X.",
    provider_disabled: "Dobíjanie je v MyQ X vypnuté. Obráťte sa, prosím, na správcu: \
                        v Nastaveniach > Kredit musia byť zapnuté External Payment Providers.",
    unavailable: "Tlačový server neodpovedal. Kredit sa nezmenil.",
    unexpected_answer: "Tlačový server odpovedal neočakávane.",
    refused: "Tlačový server požiadavku odmietol: {}",
    unfinished_problem: "Platbu sa nepodarilo dokončiť. Nájdete ju nižšie: dokončite ju alebo \
                         ju zrušte.",
    no_token: "Prihlásenie k tlačovému serveru zlyhalo: chýba token.",
    no_token_source: "Stránka widgetu nedáva prihlásenie (token-url alebo tokenProvider).",
    sign_in_failed: "Prihlásenie zlyhalo: {}",
    sign_in_timed_out: "Prihlásenie sa nedokončilo do {} s.",
    step_rejected: "Platobný krok ju odmietol.",
    step_timed_out: "Platobný krok neodpovedal do {} s.",
    amount_not_changed: "Schválenú sumu sa nepodarilo nastaviť.",
    desk: desk_words(&SK_DESK),
};

pub static SK_DESK: DeskTexts = DeskTexts {
    find_label: "Nájsť používateľa",
    find_by: "Hľadať podľa",
    by_auto: "Čokoľvek",
    by_username: "Používateľské meno",
    by_email: "E-mail",
    by_card: "Číslo karty",
    by_code: "Osobné číslo",
    find: "Nájsť",
    finding: "Hľadám…",
    no_match: "Hľadaniu {} nezodpovedá nikto.",
    found: "Nájdení používatelia: {}",
    more_found: "Zodpovedá viac používateľov: hľadajte presnejšie.",
    user: "Používateľ",
    next_user: "Ďalší používateľ",
    credit_cash: "Pripísať hotovosť {}",
    confirm_cash: "Potvrdiť: {} v hotovosti",
    receipt: "Potvrdenie o vklade",
    date_time: "Dátum a čas",
    operator: "Obsluha",
    receipt_payment: "Číslo platby",
    print_receipt: "Vytlačiť potvrdenie",
    shift: "Zmena",
    since: "Od",
    show: "Zobraziť",
    credits: Plural {
        one: "{} dobitie",
        few: "{} dobitia",
        other: "{} dobití",
    },
    total: "Spolu",
    flagged: "Označené ako chyba",
    no_credits: "Odvtedy žiadne dobitie v hotovosti.",
    time: "Čas",
    download_csv: "Stiahnuť CSV",
    back_to_find: "Späť na hľadanie používateľov",
    flag_mistake: "Označiť ako chybu",
    flag_reason: "Prečo je toto dobitie chybné?",
    flag: "Označiť",
    cancel: "Zrušiť",
    reason_empty: "Uveďte, prečo je dobitie chybné.",
    reason_too_long: "Dôvod môže mať najviac 255 znakov.",
    reason_one_line: "Dôvod musí byť jeden riadok textu.",
};

pub static DE: Texts = Texts {
    language: "de",
    decimal_mark: ',',
    loading: "Wird geladen…",
    credit: "Guthaben",
    top_up_credit: "Guthaben aufladen",
    amount: "Betrag",
    presets: "Vorgegebene Beträge",
    paid_via: "Zahlung über",
    close: "Schließen",
    try_again: "Erneut versuchen",
    recent: "Letzte Zahlungen",
    unfinished: Plural {
        one: "{} offene Zahlung",
        few: "{} offene Zahlungen",
        other: "{} offene Zahlungen",
    },
    finish: "Abschließen",
    cancel_payment: "Zahlung stornieren",
    confirm: "{} aufladen",
    added: "Gutgeschrieben: {}",
    new_credit: "Neues Guthaben",
    number: "Nr.",
    payment: "Zahlung",
    canceled: "Die Zahlung wurde storniert.",
    creating: "Zahlung wird angelegt…",
    approving: "Warte auf den Zahlungsschritt…",
    updating: "Betrag wird geändert…",
    committing: "Guthaben wird gutgeschrieben…",
    verifying: "Zahlung wird geprüft…",
    rolling_back: "Zahlung wird storniert…",
    state_created: "offen",
    state_completed: "abgeschlossen",
    state_canceled: "storniert",
    enter_amount: "Geben Sie einen Betrag ein.",
    not_a_number: "Der Betrag muss eine Zahl sein.",
    not_positive: "Der Betrag muss größer als null sein.",
    too_many_decimals: "Höchstens zwei Nachkommastellen.",
    too_large: "Der Betrag ist zu hoch.",
    at_least: "Mindestens {}.",
    at_most: "Höchstens {}.",
    multiple_of: "Der Betrag muss ein Vielfaches von {} sein.",
    cannot_start: "Das Aufladen kann nicht starten.",
    config: "Prüfen Sie das Attribut {} des Widgets.",
    unknown_user: "MyQ X kennt den Benutzer {} nicht.",
    ambiguous_user: "{} passt zu mehreren Benutzern in MyQ X.",
    provider_disabled: "Das Aufladen ist in MyQ X ausgeschaltet. Bitte wenden Sie sich an den \
                        Administrator: Unter Einstellungen > Guthaben müssen External Payment \
                        Providers aktiviert sein.",
    unavailable: "Der Druckserver hat nicht geantwortet. Ihr Guthaben wurde nicht geändert.",
    unexpected_answer: "Der Druckserver hat unerwartet geantwortet.",
    refused: "Der Druckserver hat abgelehnt: {}",
    unfinished_problem: "Die Zahlung konnte nicht abgeschlossen werden. Sie steht unten: \
                         Schließen Sie sie ab oder stornieren Sie sie.",
    no_token: "Die Anmeldung am Druckserver ist fehlgeschlagen: kein Token.",
    no_token_source: "Die Seite gibt dem Widget keine Anmeldung (token-url oder tokenProvider).",
    sign_in_failed: "Die Anmeldung ist fehlgeschlagen: {}",
    sign_in_timed_out: "Die Anmeldung wurde nicht innerhalb von {} s abgeschlossen.",
    step_rejected: "Der Zahlungsschritt hat sie abgelehnt.",
    step_timed_out: "Der Zahlungsschritt hat nicht innerhalb von {} s geantwortet.",
    amount_not_changed: "Der genehmigte Betrag ließ sich nicht setzen.",
    desk: desk_words(&DE_DESK),
};

pub static DE_DESK: DeskTexts = DeskTexts {
    find_label: "Benutzer suchen",
    find_by: "Suchen nach",
    by_auto: "Beliebig",
    by_username: "Benutzername",
    by_email: "E-Mail",
    by_card: "Kartennummer",
    by_code: "Personalnummer",
    find: "Suchen",
    finding: "Suche läuft…",
    no_match: "Niemand passt zu {}.",
    found: "Gefundene Benutzer: {}",
    more_found: "Weitere Benutzer passen: bitte genauer suchen.",
    user: "Benutzer",
    next_user: "Nächster Benutzer",
    credit_cash: "Bargeld gutschreiben: {}",
    confirm_cash: "Bestätigen: {} in bar",
    receipt: "Beleg",
    date_time: "Datum und Uhrzeit",
    operator: "Bearbeitet von",
    receipt_payment: "Zahlungsnummer",
    print_receipt: "Beleg drucken",
    shift: "Schicht",
    since: "Seit",
    show: "Anzeigen",
    credits: Plural {
        one: "{} Gutschrift",
        few: "{} Gutschriften",
        other: "{} Gutschriften",
    },
    total: "Summe",
    flagged: "Als Fehler markiert",
    no_credits: "Seitdem keine Bargeld-Gutschriften.",
    time: "Zeit",
    download_csv: "CSV herunterladen",
    back_to_find: "Zurück zur Benutzersuche",
    flag_mistake: "Als Fehler markieren",
    flag_reason: "Warum ist diese Gutschrift falsch?",
    flag: "Markieren",
    cancel: "Abbrechen",
    reason_empty: "Geben Sie an, warum die Gutschrift falsch ist.",
    reason_too_long: "Der Grund hat höchstens 255 Zeichen.",
    reason_one_line: "Der Grund ist eine Textzeile.",
};

/// The languages besides English, the language of any other tag.
static TRANSLATED: [&Texts; 3] = [&CS, &SK, &DE];

/// Tables are told apart by their language.
impl PartialEq for Texts {
    fn eq(&self, other: &Texts) -> bool {
        self.language == other.language
    }
}

/// `pattern` with its `{}` replaced by `value`.
fn fill(pattern: &str, value: &str) -> String {
    pattern.replacen("{}", value, 1)
}

impl Texts {
    /// The table for a BCP 47 tag by its primary subtag (`cs-CZ` → Czech); English for any
    /// language without one.
    pub fn of(tag: &str) -> &'static Texts {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        TRANSLATED
            .into_iter()
            .find(|texts| texts.language.eq_ignore_ascii_case(primary))
            .unwrap_or(&EN)
    }

    /// An amount to edit, with the language's decimal mark: `100.50`, `100,50`.
    pub fn decimal(&self, amount: Money) -> String {
        amount
            .to_string()
            .replace('.', self.decimal_mark.encode_utf8(&mut [0; 4]))
    }

    /// The confirm button: "Top up 100,00 Kč".
    pub fn confirm(&self, amount: &str) -> String {
        fill(self.confirm, amount)
    }

    /// "2 unfinished payments"; `category` is `Intl.PluralRules`' for `count`.
    pub fn unfinished(&self, count: usize, category: &str) -> String {
        fill(self.unfinished.form(category), &count.to_string())
    }

    /// "Added 100.00 CZK (No. 5). New credit: 220.00 CZK.", with the payment's id when its
    /// number is not known yet.
    pub fn committed(
        &self,
        credited: &str,
        (payment_no, payment_id): (Option<&str>, &str),
        balance: Option<&str>,
    ) -> String {
        let (label, number) = match payment_no {
            Some(number) => (self.number, number),
            None => (self.payment, payment_id),
        };
        let added = fill(self.added, credited);
        match balance {
            Some(balance) => format!(
                "{added} ({label} {number}). {}: {balance}.",
                self.new_credit
            ),
            None => format!("{added} ({label} {number})."),
        }
    }

    /// A rollback's result: the widget's own reasons in this language, the page's and the
    /// server's words as they came.
    pub fn rolled_back(&self, reason: &Reason, money: impl Fn(Money) -> String) -> String {
        let why = match reason {
            Reason::CanceledByUser => return self.canceled.to_owned(),
            Reason::Rejected(text) | Reason::Found(text) if text.trim().is_empty() => {
                return self.canceled.to_owned();
            }
            Reason::Rejected(text) | Reason::Found(text) => text.clone(),
            Reason::RejectedSilently => self.step_rejected.to_owned(),
            Reason::StepTimedOut { seconds } => fill(self.step_timed_out, &seconds.to_string()),
            Reason::AmountRefused(error) => self.amount_error(error, money),
            Reason::AmountNotChanged => self.amount_not_changed.to_owned(),
        };
        format!("{} {why}", self.canceled)
    }

    pub fn progress(&self, step: &Progress) -> &'static str {
        match step {
            Progress::Creating | Progress::Created(_) => self.creating,
            Progress::Approving(_) => self.approving,
            Progress::Updating(_) => self.updating,
            Progress::Committing(_) => self.committing,
            Progress::Verifying(_) => self.verifying,
            Progress::RollingBack(_) => self.rolling_back,
        }
    }

    /// A "Find by" choice.
    pub fn find_by_choice(&self, by: FindBy) -> &'static str {
        match by {
            FindBy::Auto => self.desk.by_auto,
            FindBy::Username => self.desk.by_username,
            FindBy::Email => self.desk.by_email,
            FindBy::Card => self.desk.by_card,
            FindBy::Code => self.desk.by_code,
        }
    }

    /// "Nobody matches 0400001234."
    pub fn no_match(&self, text: &str) -> String {
        fill(self.desk.no_match, text)
    }

    /// "3 credits"; `category` is `Intl.PluralRules`' for `count`.
    pub fn credits(&self, count: usize, category: &str) -> String {
        fill(self.desk.credits.form(category), &count.to_string())
    }

    /// "Users found: 2"
    pub fn found(&self, count: usize) -> String {
        fill(self.desk.found, &count.to_string())
    }

    /// The desk's submit button: "Credit cash 100.00 CZK", then "Confirm: 100.00 CZK in cash".
    pub fn credit_cash(&self, amount: &str, confirming: bool) -> String {
        fill(
            if confirming {
                self.desk.confirm_cash
            } else {
                self.desk.credit_cash
            },
            amount,
        )
    }

    pub fn state(&self, state: &PaymentState) -> &'static str {
        match state {
            PaymentState::Created => self.state_created,
            PaymentState::Completed => self.state_completed,
            PaymentState::Canceled => self.state_canceled,
        }
    }

    /// Why an amount is refused; `money` formats the bound it names.
    pub fn amount_error(&self, error: &AmountError, money: impl Fn(Money) -> String) -> String {
        let (pattern, limit) = match error {
            AmountError::Empty => return self.enter_amount.to_owned(),
            AmountError::NotANumber => return self.not_a_number.to_owned(),
            AmountError::NotPositive => return self.not_positive.to_owned(),
            AmountError::TooManyDecimals => return self.too_many_decimals.to_owned(),
            AmountError::TooLarge => return self.too_large.to_owned(),
            AmountError::BelowMin(min) => (self.at_least, min),
            AmountError::AboveMax(max) => (self.at_most, max),
            AmountError::OffStep(step) => (self.multiple_of, step),
        };
        fill(pattern, &money(*limit))
    }

    /// What went wrong, in this language; only the server's and the page's own messages are
    /// shown as they came.
    pub fn problem(&self, problem: &Problem, money: impl Fn(Money) -> String) -> String {
        match problem {
            Problem::Config(error) => fill(self.config, error.attribute),
            Problem::Amount(error) => self.amount_error(error, money),
            Problem::Start(StartError::UnknownUser(name)) => fill(self.unknown_user, name),
            Problem::Start(StartError::AmbiguousUser(name)) => fill(self.ambiguous_user, name),
            Problem::Start(StartError::ProviderInactive(_)) => self.provider_disabled.to_owned(),
            Problem::Start(StartError::Api(error)) | Problem::Api(error) => self.api_error(error),
            Problem::Unfinished { .. } => self.unfinished_problem.to_owned(),
            Problem::FlagReason(error) => match error {
                FlagReasonError::Empty => self.desk.reason_empty,
                FlagReasonError::TooLong => self.desk.reason_too_long,
                FlagReasonError::NotOneLine => self.desk.reason_one_line,
            }
            .to_owned(),
        }
    }

    fn api_error(&self, error: &ApiError) -> String {
        let sentence = match &error.failure {
            Failure::TokenSource(TokenSourceFailure::Missing) => self.no_token_source,
            Failure::TokenSource(TokenSourceFailure::Rejected(message)) if message.is_empty() => {
                self.no_token
            }
            Failure::TokenSource(TokenSourceFailure::Rejected(message)) => {
                return fill(self.sign_in_failed, message);
            }
            Failure::TokenSource(TokenSourceFailure::TimedOut(limit_ms)) => {
                return fill(self.sign_in_timed_out, &(limit_ms / 1000).to_string());
            }
            _ if error.operation == Operation::Token => self.no_token,
            _ if error.provider_disabled() => self.provider_disabled,
            Failure::Refused {
                status, message, ..
            } if *status < 500 => {
                let detail = if message.is_empty() {
                    format!("HTTP {status}")
                } else {
                    message.clone()
                };
                return fill(self.refused, &detail);
            }
            Failure::Contract(_) => self.unexpected_answer,
            _ => self.unavailable,
        };
        sentence.to_owned()
    }

    /// Every word and pattern of the table, for the tests that compare tables.
    pub fn all(&self) -> Vec<&'static str> {
        vec![
            self.loading,
            self.credit,
            self.top_up_credit,
            self.amount,
            self.presets,
            self.paid_via,
            self.close,
            self.try_again,
            self.recent,
            self.unfinished.one,
            self.unfinished.few,
            self.unfinished.other,
            self.finish,
            self.cancel_payment,
            self.confirm,
            self.added,
            self.new_credit,
            self.number,
            self.payment,
            self.canceled,
            self.creating,
            self.approving,
            self.updating,
            self.committing,
            self.verifying,
            self.rolling_back,
            self.state_created,
            self.state_completed,
            self.state_canceled,
            self.enter_amount,
            self.not_a_number,
            self.not_positive,
            self.too_many_decimals,
            self.too_large,
            self.at_least,
            self.at_most,
            self.multiple_of,
            self.cannot_start,
            self.config,
            self.unknown_user,
            self.ambiguous_user,
            self.provider_disabled,
            self.unavailable,
            self.unexpected_answer,
            self.refused,
            self.unfinished_problem,
            self.no_token,
            self.no_token_source,
            self.sign_in_failed,
            self.sign_in_timed_out,
            self.step_rejected,
            self.step_timed_out,
            self.amount_not_changed,
            self.desk.find_label,
            self.desk.find_by,
            self.desk.by_auto,
            self.desk.by_username,
            self.desk.by_email,
            self.desk.by_card,
            self.desk.by_code,
            self.desk.find,
            self.desk.finding,
            self.desk.no_match,
            self.desk.found,
            self.desk.more_found,
            self.desk.user,
            self.desk.next_user,
            self.desk.credit_cash,
            self.desk.confirm_cash,
            self.desk.receipt,
            self.desk.date_time,
            self.desk.operator,
            self.desk.receipt_payment,
            self.desk.print_receipt,
            self.desk.shift,
            self.desk.since,
            self.desk.show,
            self.desk.credits.one,
            self.desk.credits.few,
            self.desk.credits.other,
            self.desk.total,
            self.desk.flagged,
            self.desk.no_credits,
            self.desk.time,
            self.desk.download_csv,
            self.desk.back_to_find,
            self.desk.flag_mistake,
            self.desk.flag_reason,
            self.desk.flag,
            self.desk.cancel,
            self.desk.reason_empty,
            self.desk.reason_too_long,
            self.desk.reason_one_line,
        ]
    }
}

#[cfg(test)]
mod tests;
