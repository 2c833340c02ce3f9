//! Checks an LTI 1.3 launch's `id_token` (LTI Core 1.3 §5.1, 1EdTech Security Framework §5.1.3):
//! RS256 only, signed by a key of the platform's JWK set, issued by the platform to Reel's
//! client ID, unexpired, not from the future, carrying the login's nonce, an LTI 1.3.0 message
//! of a type Reel handles. What needs the database (the deployment, the nonce used once) is
//! the caller's. Every refusal is a [`Refusal`] with a stable code.

use super::Refusal;
use crate::db::lti::Platform;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::collections::HashMap;

/// How far the platform's clock may be from ours.
pub const SKEW_SECS: u64 = 60;

const LTI: &str = "https://purl.imsglobal.org/spec/lti/claim/";
/// The message types Reel answers.
pub const RESOURCE_LINK: &str = "LtiResourceLinkRequest";
/// A Deep Linking request (the picker).
pub const DEEP_LINKING: &str = "LtiDeepLinkingRequest";

/// `aud`: one client ID or several.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Audience {
    /// Checked by jsonwebtoken; only its form matters here.
    One(#[expect(dead_code, reason = "jsonwebtoken checks it")] String),
    Many(Vec<String>),
}

/// The LMS context (course) of a launch.
#[derive(Clone, Debug, Deserialize)]
pub struct Context {
    /// Its ID on the platform.
    pub id: String,
    /// Its title.
    #[serde(default)]
    pub title: Option<String>,
    /// Its short label.
    #[serde(default)]
    pub label: Option<String>,
}

/// The claims of a launch Reel reads.
#[derive(Debug, Deserialize)]
struct RawClaims {
    sub: Option<String>,
    aud: Audience,
    azp: Option<String>,
    iat: u64,
    nonce: Option<String>,
    name: Option<String>,
    #[serde(flatten)]
    lti: HashMap<String, serde_json::Value>,
}

/// A launch that passed every check.
#[derive(Clone, Debug)]
pub struct Launch {
    /// The LMS user (`sub`).
    pub subject: String,
    /// The user's name, when the platform shares it.
    pub name: Option<String>,
    /// `LtiResourceLinkRequest` or `LtiDeepLinkingRequest`.
    pub message_type: String,
    /// The deployment it came through.
    pub deployment_id: String,
    /// Role URIs.
    pub roles: Vec<String>,
    /// The LMS course.
    pub context: Option<Context>,
    /// What a deep linking request asks for (none for a resource link).
    pub deep_linking: Option<super::deep_link::Settings>,
    /// The video a link made by Deep Linking names (its custom `reel_video_id`).
    pub video_id: Option<String>,
}

impl Launch {
    /// Whether the user may manage the context's videos: instructors, teaching assistants,
    /// content developers and administrators (context, institution or system roles).
    pub fn manages(&self) -> bool {
        const MANAGERS: [&str; 4] = [
            "Instructor",
            "TeachingAssistant",
            "ContentDeveloper",
            "Administrator",
        ];
        self.roles.iter().any(|r| {
            // `…/membership#Instructor`, `…/membership/Instructor#TeachingAssistant`,
            // `…/institution/person#Administrator`, or the bare short name.
            let tail = r.rsplit(['#', '/']).next().unwrap_or(r);
            MANAGERS.contains(&tail)
        })
    }
}

/// The `alg` and `kid` of a token's header, read without trusting anything in it.
pub fn header_of(token: &str) -> Result<(String, Option<String>), Refusal> {
    let head = token.split('.').next().unwrap_or_default();
    let bytes = URL_SAFE_NO_PAD
        .decode(head.trim_end_matches('='))
        .map_err(|_| Refusal::malformed("the header is not base64url"))?;
    #[derive(Deserialize)]
    struct Header {
        alg: String,
        kid: Option<String>,
    }
    let header: Header = serde_json::from_slice(&bytes)
        .map_err(|_| Refusal::malformed("the header is not a JWT header"))?;
    Ok((header.alg, header.kid))
}

/// The `nonce` a token claims, read without checking anything: only ever a reason to refuse
/// (a replay), never to accept.
pub fn unverified_nonce(token: &str) -> Option<String> {
    let body = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(body.trim_end_matches('=')).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("nonce")?.as_str().map(str::to_string)
}

/// Checks `token` against the platform's keys, its issuer and client ID, the clock (`now`,
/// seconds) and the login's nonce.
pub fn check(
    token: &str,
    platform: &Platform,
    keys: &JwkSet,
    expected_nonce: &str,
    now: u64,
) -> Result<Launch, Refusal> {
    let (alg, kid) = header_of(token)?;
    if alg != "RS256" {
        return Err(Refusal::new(
            "lti_bad_algorithm",
            format!("alg {alg} is not RS256"),
        ));
    }
    let kid = kid.ok_or_else(|| Refusal::new("lti_unknown_key", "no kid in the header"))?;
    let jwk = keys.find(&kid).ok_or_else(|| {
        Refusal::new(
            "lti_unknown_key",
            format!("kid {kid} is not in the platform's JWK set"),
        )
    })?;
    let key = DecodingKey::from_jwk(jwk)
        .map_err(|_| Refusal::new("lti_unknown_key", format!("kid {kid} is not an RSA key")))?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = SKEW_SECS;
    validation.set_issuer(&[&platform.issuer]);
    validation.set_audience(&[&platform.client_id]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    let data = jsonwebtoken::decode::<RawClaims>(token, &key, &validation).map_err(|e| match e
        .kind()
    {
        ErrorKind::InvalidSignature => {
            Refusal::new("lti_bad_signature", "the signature does not verify")
        }
        ErrorKind::InvalidIssuer => {
            Refusal::new("lti_wrong_issuer", "iss is not the platform's issuer")
        }
        ErrorKind::InvalidAudience => {
            Refusal::new("lti_wrong_audience", "aud does not name Reel's client ID")
        }
        ErrorKind::ExpiredSignature => Refusal::new("lti_expired", "the token has expired"),
        ErrorKind::ImmatureSignature => Refusal::new("lti_expired", "the token is not valid yet"),
        ErrorKind::InvalidAlgorithm => {
            Refusal::new("lti_bad_algorithm", "the algorithm is not RS256")
        }
        other => Refusal::malformed(format!("{other:?}")),
    })?;
    let claims = data.claims;
    if claims.iat > now + SKEW_SECS {
        return Err(Refusal::new("lti_expired", "iat is in the future"));
    }
    if let Audience::Many(list) = &claims.aud {
        if list.len() > 1 && claims.azp.as_deref() != Some(platform.client_id.as_str()) {
            return Err(Refusal::new(
                "lti_wrong_audience",
                "several audiences and azp is not Reel's client ID",
            ));
        }
    }
    if claims.nonce.as_deref() != Some(expected_nonce) {
        return Err(Refusal::new(
            "lti_state_mismatch",
            "the nonce is not the login's",
        ));
    }
    let claim = |name: &str| claims.lti.get(&format!("{LTI}{name}"));
    let text = |name: &str| claim(name).and_then(|v| v.as_str()).map(str::to_string);
    if text("version").as_deref() != Some("1.3.0") {
        return Err(Refusal::new("lti_bad_message", "version is not 1.3.0"));
    }
    let message_type = text("message_type").unwrap_or_default();
    if message_type != RESOURCE_LINK && message_type != DEEP_LINKING {
        return Err(Refusal::new(
            "lti_bad_message",
            format!("message type {message_type:?}"),
        ));
    }
    let deployment_id = text("deployment_id")
        .ok_or_else(|| Refusal::new("lti_unknown_deployment", "no deployment_id"))?;
    let roles = claim("roles")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let context = claim("context").and_then(|v| serde_json::from_value(v.clone()).ok());
    let deep_linking = if message_type == DEEP_LINKING {
        Some(super::deep_link::settings_of(
            claims.lti.get(super::deep_link::SETTINGS_CLAIM),
        )?)
    } else {
        None
    };
    let video_id = claim("custom")
        .and_then(|c| c.get(super::deep_link::VIDEO_PARAM))
        .and_then(|v| v.as_str())
        .map(str::to_string);
    Ok(Launch {
        subject: claims.sub.unwrap_or_default(),
        name: claims.name,
        message_type,
        deployment_id,
        roles,
        context,
        deep_linking,
        video_id,
    })
}
