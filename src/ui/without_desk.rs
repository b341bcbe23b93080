//! The student's build, without the help desk's views (the `desk` feature off): the parts the
//! widget's face asks of the desk are empty, and its actions do nothing. The configuration
//! refuses the `desk` attribute in this build (`host/config.rs`), so no desk phase is reached.

use leptos::prelude::*;

use super::topup::{DeskAction, Shared};
use crate::host::Widget;

pub(crate) fn find_view(_: Shared) -> impl IntoView {}

pub(crate) fn shift_view(_: Shared) -> impl IntoView {}

pub(crate) fn student(_: &Shared) -> Option<()> {
    None
}

pub(crate) fn receipt(_: &Shared) -> Option<()> {
    None
}

pub(crate) async fn act(_: &Widget, _: DeskAction) {}
