//! The app's one confirmation dialog ("Delete 6 videos?", "Upload again?"), shown while the
//! dialog store holds a question. Cancel is first, so Enter on the opened dialog is harmless.

use crate::components::modal::Modal;
use crate::stores::dialogs::{self, DialogStore};
use yew::prelude::*;
use yewdux::prelude::*;

/// The dialog.
#[function_component(ConfirmDialog)]
pub fn confirm_dialog() -> Html {
    let state = use_store_value::<DialogStore>();
    let Some(q) = &state.question else {
        return html! {};
    };
    // Escape or Cancel: the dialog closes, and `onclose` declines (a no-op once answered).
    let on_close = Callback::from(|()| dialogs::answer(false));
    let cancel = Callback::from(|_: MouseEvent| dialogs::answer(false));
    let confirm = Callback::from(|_: MouseEvent| dialogs::answer(true));
    html! {
        <Modal labelled_by="confirm-title" class="modal-small" {on_close} testid="confirm-dialog">
            <h2 id="confirm-title">{ &q.title }</h2>
            <p>{ &q.body }</p>
            <div class="modal-actions">
                <button type="button" class="btn" onclick={cancel}>{ &q.cancel_label }</button>
                <button type="button" class={classes!("btn", if q.danger { "btn-danger" } else { "btn-primary" })}
                    onclick={confirm}>{ &q.confirm_label }</button>
            </div>
        </Modal>
    }
}
