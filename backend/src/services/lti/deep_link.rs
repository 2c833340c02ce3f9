//! LTI Deep Linking 2.0: a platform's `LtiDeepLinkingRequest` opens a picker of the course's
//! videos; the choice goes back as a JWT signed with the tool's key, which the browser posts
//! to the platform's `deep_link_return_url`. Between the launch and the choice, the request's
//! settings ride in a ticket signed under the server's secret, so any instance can take the
//! picker's answer and nothing is stored.
//!
//! The response is shaped after the mistakes platforms refuse (1EdTech lti-1-3-php-library#19):
//! `kid` in the header, `iss` Reel's client ID, `aud` the platform's issuer, a `nonce`, the
//! request's `deployment_id` and `data` echoed.

use super::Refusal;
use crate::config::SecretKey;
use crate::db::lti::{Platform, ToolKey};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Sha256;

const LTI: &str = "https://purl.imsglobal.org/spec/lti/claim/";
const DL: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/";
/// The claim a deep linking request's settings come in.
pub const SETTINGS_CLAIM: &str =
    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings";
/// The custom parameter of a chosen link that names its video.
pub const VIDEO_PARAM: &str = "reel_video_id";
/// How long the picker may stay open.
pub const TICKET_SECS: u64 = 3600;
/// How long the platform has to take the answer.
const RESPONSE_SECS: u64 = 300;

/// What the platform asked for (LTI Deep Linking 2.0 §4.4.1).
#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    /// Where the answer is posted.
    pub deep_link_return_url: String,
    /// Item types the platform takes.
    #[serde(default)]
    pub accept_types: Vec<String>,
    /// Whether it takes several items.
    #[serde(default)]
    pub accept_multiple: Option<bool>,
    /// Opaque data to echo back.
    #[serde(default)]
    pub data: Option<String>,
}

/// The settings of a deep linking request, refused when Reel cannot answer it.
pub fn settings_of(claim: Option<&Value>) -> Result<Settings, Refusal> {
    let settings: Settings = claim
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .ok_or_else(|| Refusal::new("lti_bad_message", "deep linking without its settings"))?;
    let url = settings.deep_link_return_url.as_str();
    let plain = !url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '"');
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2000 || !plain {
        return Err(Refusal::new(
            "lti_bad_message",
            "deep_link_return_url is not an http(s) URL",
        ));
    }
    if !settings.accept_types.iter().any(|t| t == "ltiResourceLink") {
        return Err(Refusal::new(
            "lti_bad_message",
            format!(
                "accept_types {:?} has no ltiResourceLink",
                settings.accept_types
            ),
        ));
    }
    Ok(settings)
}

/// A deep linking request between the launch and the choice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// Reel's ID of the platform.
    pub platform_id: String,
    /// The deployment the request came through.
    pub deployment_id: String,
    /// The course whose videos may be chosen.
    pub course_id: String,
    /// Who chooses.
    pub instructor_id: String,
    /// Where the answer goes.
    pub return_url: String,
    /// Whether several videos may be chosen.
    pub accept_multiple: bool,
    /// The platform's data, echoed back.
    pub data: Option<String>,
    /// When the picker stops answering (seconds since the epoch).
    pub exp: u64,
}

/// The ticket's MAC key: an HMAC of a fixed label under the server's secret.
fn ticket_key(secret: &SecretKey) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose()).expect("HMAC takes any key");
    mac.update(b"reel lti deep link ticket v1");
    let key = mac.finalize().into_bytes();
    Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key")
}

impl Ticket {
    /// `body.mac`, both base64url.
    pub fn seal(&self, secret: &SecretKey) -> String {
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("a ticket serialises"));
        let mut mac = ticket_key(secret);
        mac.update(body.as_bytes());
        let tag = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{body}.{tag}")
    }

    /// The ticket `text` seals, if Reel sealed it and it has not run out at `now`.
    pub fn open(text: &str, secret: &SecretKey, now: u64) -> Result<Self, Refusal> {
        let bad = || Refusal::new("lti_bad_pick", "the picker's ticket does not verify");
        let (body, tag) = text.split_once('.').ok_or_else(bad)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| bad())?;
        let mut mac = ticket_key(secret);
        mac.update(body.as_bytes());
        mac.verify_slice(&tag).map_err(|_| bad())?;
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| bad())?;
        let ticket: Self = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if ticket.exp <= now {
            return Err(Refusal::new("lti_expired", "the picker was open too long"));
        }
        Ok(ticket)
    }
}

/// One chosen video.
#[derive(Clone, Debug)]
pub struct Item {
    /// Its ID, carried in the link's custom parameters.
    pub video_id: String,
    /// Its title, the link's title in the LMS.
    pub title: String,
}

/// The `LtiDeepLinkingResponse` for `items` (none: the person cancelled), signed with `key`
/// (its private half `pem`, PKCS#8), each item a resource link to `launch_url`.
pub fn response_jwt(
    platform: &Platform,
    ticket: &Ticket,
    items: &[Item],
    launch_url: &str,
    key: &ToolKey,
    pem: &[u8],
    now: u64,
) -> anyhow::Result<String> {
    let items: Vec<Value> = items
        .iter()
        .map(|i| {
            json!({
                "type": "ltiResourceLink",
                "title": i.title,
                "url": launch_url,
                "custom": { VIDEO_PARAM: i.video_id },
            })
        })
        .collect();
    let mut claims = json!({
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": now,
        "exp": now + RESPONSE_SECS,
        "nonce": crate::services::tokens::new_token(),
        format!("{LTI}deployment_id"): ticket.deployment_id,
        format!("{LTI}message_type"): "LtiDeepLinkingResponse",
        format!("{LTI}version"): "1.3.0",
        format!("{DL}content_items"): items,
    });
    if let Some(data) = &ticket.data {
        claims[format!("{DL}data")] = json!(data);
    }
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key.kid.clone());
    // jsonwebtoken signs with ring, which reads PKCS#1.
    let pkcs1 = openssl::pkey::PKey::private_key_from_pem(pem)?
        .rsa()?
        .private_key_to_pem()?;
    Ok(jsonwebtoken::encode(
        &header,
        &claims,
        &EncodingKey::from_rsa_pem(&pkcs1)?,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(byte: u8) -> SecretKey {
        SecretKey::from_text(&hex::encode([byte; 32])).expect("key")
    }

    fn ticket() -> Ticket {
        Ticket {
            platform_id: "p".into(),
            deployment_id: "d".into(),
            course_id: "c".into(),
            instructor_id: "i".into(),
            return_url: "https://lms.test/return".into(),
            accept_multiple: true,
            data: Some("opaque".into()),
            exp: 1_000,
        }
    }

    #[test]
    fn a_ticket_opens_with_its_secret_unchanged_and_in_time_only() {
        let sealed = ticket().seal(&secret(1));
        assert_eq!(Ticket::open(&sealed, &secret(1), 999), Ok(ticket()));
        assert_eq!(
            Ticket::open(&sealed, &secret(2), 999).map_err(|r| r.code),
            Err("lti_bad_pick")
        );
        assert_eq!(
            Ticket::open(&sealed, &secret(1), 1_000).map_err(|r| r.code),
            Err("lti_expired")
        );
        // Another course in the body, the old MAC kept.
        let (_, tag) = sealed.split_once('.').expect("two parts");
        let other = Ticket {
            course_id: "someone else's".into(),
            ..ticket()
        };
        let forged = format!(
            "{}.{tag}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&other).expect("json"))
        );
        assert!(Ticket::open(&forged, &secret(1), 999).is_err());
        for junk in ["", ".", "abc", "a.b.c", "…"] {
            assert!(Ticket::open(junk, &secret(1), 999).is_err(), "{junk}");
        }
    }

    #[test]
    fn settings_must_name_a_return_url_and_take_resource_links() {
        let ok = json!({ "deep_link_return_url": "https://lms.test/r", "accept_types": ["link", "ltiResourceLink"] });
        assert!(settings_of(Some(&ok)).is_ok());
        let no_links =
            json!({ "deep_link_return_url": "https://lms.test/r", "accept_types": ["file"] });
        let bad_url = json!({ "deep_link_return_url": "javascript:alert(1)", "accept_types": ["ltiResourceLink"] });
        for bad in [Some(&no_links), Some(&bad_url), None] {
            assert_eq!(
                settings_of(bad).map(|_| ()).map_err(|r| r.code),
                Err("lti_bad_message")
            );
        }
    }
}
