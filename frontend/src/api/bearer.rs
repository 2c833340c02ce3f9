//! For a browser inside an LMS that keeps no cookie of Reel's. The LTI launch hands the app a
//! refresh token in the URL's fragment (`#lti-refresh=…`, never sent to a server); the app
//! takes it out of the address at once and buys a short-lived access token with it, kept in
//! memory only and sent as `Authorization: Bearer` with every API and tus request. The next one
//! is bought before it runs out, so a request (a long upload's next chunk) is not refused and
//! sent again; a 401 all the same buys one too. One renewal at a time: a refresh token sent
//! twice ends the whole sign-in.

use super::{refresh_tokens, ClientError};
use shared::dto::RefreshRequest;
use std::cell::RefCell;

thread_local! {
    static ACCESS: RefCell<Option<String>> = const { RefCell::new(None) };
    static REFRESH: RefCell<Option<String>> = const { RefCell::new(None) };
    /// When (ms since the epoch, this browser's clock) the access token is renewed before use.
    static RENEW_AT: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

const FRAGMENT: &str = "#lti-refresh=";

/// Takes a refresh token out of the address, if the launch put one there.
pub fn take_from_fragment() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let Ok(hash) = location.hash() else { return };
    let Some(rest) = hash.strip_prefix(FRAGMENT) else {
        return;
    };
    // `#lti-refresh=TOKEN[&lti-origins=ORIGIN,ORIGIN]`
    let (token, origins) = rest.split_once("&lti-origins=").unwrap_or((rest, ""));
    if token.is_empty() {
        return;
    }
    REFRESH.with(|r| *r.borrow_mut() = Some(token.to_string()));
    let origins = js_sys::decode_uri_component(origins)
        .map(String::from)
        .unwrap_or_default();
    crate::frame::set_host_origins(
        origins
            .split(',')
            .filter(|o| !o.is_empty())
            .map(str::to_string)
            .collect(),
    );
    // Out of the address bar and the history before anything else runs.
    let path = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
}

/// The `Authorization` header's value, when the app holds an access token.
pub fn header() -> Option<String> {
    ACCESS.with(|a| a.borrow().as_ref().map(|t| format!("Bearer {t}")))
}

/// The `Authorization` header to send now: renewed first when the access token is missing or
/// near its end (a request refused for it would have to be sent again, bytes and all).
pub async fn fresh_header() -> Option<String> {
    if in_use() && js_sys::Date::now() >= RENEW_AT.with(|r| r.get()) {
        renew(header()).await;
    }
    header()
}

/// Renew at three quarters of the token's life: the last quarter is for the request's way to
/// the server and for the two clocks not agreeing.
fn renew_at(now_ms: f64, lifetime_secs: u64) -> f64 {
    now_ms + lifetime_secs as f64 * 750.0
}

/// Whether the app signs in with tokens rather than the cookie.
pub fn in_use() -> bool {
    REFRESH.with(|r| r.borrow().is_some())
}

/// Forgets both tokens (signing out).
pub fn forget() {
    REFRESH.with(|r| r.borrow_mut().take());
    ACCESS.with(|a| a.borrow_mut().take());
    RENEW_AT.with(|r| r.set(0.0));
}

/// Buys a new access token after `stale` (the header a request was refused with) stopped
/// working; true when the request is worth sending again. Renewals run one at a time, and one
/// that another request already made is not made again.
pub async fn renew(stale: Option<String>) -> bool {
    if !in_use() {
        return false;
    }
    crate::in_turn::in_turn("bearer-renewal".into(), async move {
        if header() != stale {
            return true;
        }
        let Some(refresh_token) = REFRESH.with(|r| r.borrow().clone()) else {
            return false;
        };
        match refresh_tokens(&RefreshRequest { refresh_token }).await {
            Ok(pair) => {
                let at = renew_at(js_sys::Date::now(), pair.expires_in_secs);
                RENEW_AT.with(|r| r.set(at));
                ACCESS.with(|a| *a.borrow_mut() = Some(pair.access_token));
                REFRESH.with(|r| *r.borrow_mut() = Some(pair.refresh_token));
                true
            }
            Err(ClientError::Network) => false,
            Err(_) => {
                // Spent or revoked: the person opens Reel again from the course.
                forget();
                false
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::renew_at;

    #[test]
    fn a_token_is_renewed_at_three_quarters_of_its_life() {
        assert_eq!(renew_at(1000.0, 2), 1000.0 + 1500.0);
        assert_eq!(renew_at(0.0, 600), 450_000.0);
        assert_eq!(renew_at(5.0, 0), 5.0);
    }
}
