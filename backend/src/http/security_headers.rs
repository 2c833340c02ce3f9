//! Headers every response carries so a browser holds the page to what Reel means it to do:
//! no inline script but the loader Trunk writes (allowed by its hash), WebAssembly compiled
//! from Reel's own origin only, no framing by other sites, no MIME sniffing, no powerful
//! features, HTTPS pinned when the operator serves over HTTPS.

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The policy of everything that is not the app's page (JSON, media, assets): nothing loads,
/// nothing frames it.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The policy for the app's `index.html`: its inline scripts (Trunk's module loader) are
/// allowed by hash, nothing else inline; `'wasm-unsafe-eval'` is what compiling the app's
/// WebAssembly needs and allows nothing more. Style *attributes* stay allowed for the progress
/// bars' widths; style elements do not.
///
/// The app may be framed by itself and by the origins the operator registered for LTI
/// platforms (`frame_origins`), no one else.
pub fn app_csp(index_html: &str, frame_origins: &[String]) -> String {
    let hashes: String = inline_scripts(index_html)
        .map(|script| format!(" 'sha256-{}'", STANDARD.encode(Sha256::digest(script))))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; \
         media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; {frames};",
        frames = frame_ancestors(frame_origins)
    )
}

/// `frame-ancestors` for a page Reel itself and `origins` may frame (the LMSs registered for
/// LTI; registration accepted only bare origins, so nothing here can end the directive).
pub fn frame_ancestors(origins: &[String]) -> String {
    let mut out = String::from("frame-ancestors 'self'");
    for origin in origins {
        out.push(' ');
        out.push_str(origin);
    }
    out
}

/// The registered LMSs' origins, which may frame the app and the LTI pages.
pub async fn registered_frame_origins(pool: &crate::db::DbPool) -> Vec<String> {
    crate::db::run(pool, |conn| Ok(crate::db::lti::all_frame_origins(conn)?))
        .await
        .unwrap_or_default()
}

/// The bodies of `<script>` elements without `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, after) = rest.split_once('>')?;
        let (body, _) = after.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(body)
    })
}

/// Adds the headers a response does not set itself.
pub fn apply(headers: &mut HeaderMap, hsts: bool) {
    let defaults: [(&str, &str); 5] = [
        ("content-security-policy", API_CSP),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("cross-origin-opener-policy", "same-origin"),
        (
            "permissions-policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), fullscreen=(self)",
        ),
    ];
    for (name, value) in defaults {
        let name = HeaderName::from_static(name);
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    if hsts {
        headers.insert(
            HeaderName::from_static("strict-transport-security"),
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUNK_PAGE: &str = r#"<html><head><script type="module">import init from '/a.js';
await init();</script><script src="/other.js"></script></head></html>"#;

    #[test]
    fn the_app_policy_allows_only_the_inline_loader_by_its_hash() {
        let csp = app_csp(TRUNK_PAGE, &[]);
        let loader = "import init from '/a.js';\nawait init();";
        let hash = STANDARD.encode(Sha256::digest(loader));
        assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
        assert_eq!(csp.matches("'sha256-").count(), 1, "{csp}");
        let script_src = csp
            .split(';')
            .find(|d| d.trim_start().starts_with("script-src"))
            .expect("script-src");
        assert!(!script_src.contains("'unsafe-inline'") && !script_src.contains("'unsafe-eval'"));
        assert!(csp.contains("frame-ancestors 'self';"));
        let lms = app_csp(TRUNK_PAGE, &["https://lms.example.edu".to_string()]);
        assert!(
            lms.contains("frame-ancestors 'self' https://lms.example.edu;"),
            "{lms}"
        );
    }
}
