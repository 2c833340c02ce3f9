//! The one question the app may be asking ("Delete 6 videos?", "Upload again?"). The confirm
//! dialog shows it; whoever asked gets the answer through the callbacks.

use yew::Callback;
use yewdux::prelude::*;

/// A yes/no question in a modal dialog.
#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    /// The dialog's heading ("Delete 6 videos?").
    pub title: String,
    /// What happens, in a sentence.
    pub body: String,
    /// The words on the button that goes ahead ("Delete 6 videos").
    pub confirm_label: String,
    /// The words on the button that does not ("Cancel").
    pub cancel_label: String,
    /// Styles the go-ahead button as destructive.
    pub danger: bool,
    /// Runs when the instructor goes ahead.
    pub on_confirm: Callback<()>,
    /// Runs when the instructor declines (Cancel, Escape).
    pub on_cancel: Callback<()>,
}

/// The open question, if any.
#[derive(Clone, Debug, Default, PartialEq, Store)]
pub struct DialogStore {
    /// Shown in the confirm dialog while set.
    pub question: Option<Question>,
}

/// Asks a question (a question already open is declined first: one dialog at a time).
pub fn ask(question: Question) {
    let dispatch = super::dispatch::<DialogStore>();
    if let Some(old) = dispatch.get().question.clone() {
        old.on_cancel.emit(());
    }
    dispatch.reduce_mut(|s| s.question = Some(question));
}

/// Answers the open question.
pub fn answer(confirmed: bool) {
    let dispatch = super::dispatch::<DialogStore>();
    let Some(question) = dispatch.get().question.clone() else {
        return;
    };
    dispatch.reduce_mut(|s| s.question = None);
    if confirmed {
        question.on_confirm.emit(());
    } else {
        question.on_cancel.emit(());
    }
}
