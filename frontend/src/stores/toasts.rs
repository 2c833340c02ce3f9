//! Toasts: short messages in the corner.

use yewdux::prelude::*;

/// How a toast looks and how urgently it is announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToastKind {
    /// Something worked.
    Success,
    /// Something failed.
    Error,
    /// Neutral information.
    Info,
}

/// A button on a toast (Undo, Retry).
#[derive(Clone, Debug, PartialEq)]
pub struct ToastAction {
    /// The button's words.
    pub label: String,
    /// What it does; the toast closes after.
    pub run: yew::Callback<()>,
}

/// A short message in the corner of the screen.
#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    /// Identifies the toast for dismissal.
    pub id: u32,
    /// Look and urgency.
    pub kind: ToastKind,
    /// The sentence shown.
    pub text: String,
    /// Buttons, if any.
    pub actions: Vec<ToastAction>,
    /// When it goes away by itself (ms since the epoch); a toast with buttons counts down to it.
    pub expires_at: f64,
}

/// UI feedback state.
#[derive(Clone, Debug, Default, PartialEq, Store)]
pub struct UiStore {
    /// Visible toasts, oldest first.
    pub toasts: Vec<Toast>,
    next_toast: u32,
}

impl UiStore {
    /// Shows a toast and returns its ID.
    pub fn push_toast(&mut self, kind: ToastKind, text: impl Into<String>) -> u32 {
        self.push_with_actions(kind, text, Vec::new(), 0.0)
    }

    /// Shows a toast with buttons and returns its ID.
    pub fn push_with_actions(
        &mut self,
        kind: ToastKind,
        text: impl Into<String>,
        actions: Vec<ToastAction>,
        expires_at: f64,
    ) -> u32 {
        self.next_toast += 1;
        self.toasts.push(Toast {
            id: self.next_toast,
            kind,
            text: text.into(),
            actions,
            expires_at,
        });
        // Keep the corner readable: the oldest go first.
        if self.toasts.len() > 4 {
            self.toasts.remove(0);
        }
        self.next_toast
    }

    /// Removes a toast.
    pub fn dismiss(&mut self, id: u32) {
        self.toasts.retain(|t| t.id != id);
    }
}

/// Shows a toast from anywhere (mutations use it) and hides it after a few seconds.
pub fn toast(kind: ToastKind, text: impl Into<String>) {
    toast_with(kind, text, Vec::new(), 6_000);
}

/// Shows a toast with buttons for `ms` milliseconds (an Undo toast lasts the grace period) and
/// returns its ID.
pub fn toast_with(
    kind: ToastKind,
    text: impl Into<String>,
    actions: Vec<ToastAction>,
    ms: u32,
) -> u32 {
    let dispatch = super::dispatch::<UiStore>();
    let mut id = 0;
    let text = text.into();
    let expires_at = js_sys::Date::now() + f64::from(ms);
    dispatch.reduce_mut(|s| id = s.push_with_actions(kind, text, actions, expires_at));
    gloo_timers::callback::Timeout::new(ms, move || dismiss(id)).forget();
    id
}

/// The selector of a toast's element.
pub fn selector(id: u32) -> String {
    format!(".toast[data-toast-id='{id}']")
}

/// Removes a toast; focus inside it moves to the page's heading instead of being lost.
pub fn dismiss(id: u32) {
    crate::focus::rescue_from(&selector(id), crate::focus::PAGE_HEADING);
    super::dispatch::<UiStore>().reduce_mut(|s| s.dismiss(id));
}

/// Escape: removes the newest toast.
pub fn dismiss_newest() -> bool {
    let newest = super::dispatch::<UiStore>()
        .get()
        .toasts
        .last()
        .map(|t| t.id);
    newest.inspect(|id| dismiss(*id)).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toasts_are_capped_and_dismissable() {
        let mut store = UiStore::default();
        let first = store.push_toast(ToastKind::Info, "one");
        for n in 0..4 {
            store.push_toast(ToastKind::Info, format!("{n}"));
        }
        assert_eq!(store.toasts.len(), 4);
        assert!(store.toasts.iter().all(|t| t.id != first));
        let last = store.toasts[3].id;
        store.dismiss(last);
        assert_eq!(store.toasts.len(), 3);
    }
}
