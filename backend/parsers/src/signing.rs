//! Display URLs: `/media/{video_id}?exp=…&sig=…`, an HMAC-SHA256 over the video ID and the
//! expiry, keyed with the server's secret (any bytes here). The URL is the capability (a `<video>` element cannot send our session header), so
//! it reveals nothing but the ID and stops working when it expires.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a display URL works, at least.
pub const LIFETIME_SECS: i64 = 3600;
/// Expiries are rounded up to this step so the URL stays the same for a while: a refetched
/// list then does not change the `<video>` source and restart playback.
const STEP_SECS: i64 = 600;

/// What a signed URL reaches: each has its own signing domain, so a poster's signature can
/// never be used to reach the video or its thumbnails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Object {
    /// The video itself.
    Video,
    /// Its poster frame.
    Poster,
    /// Its thumbnail strip.
    Thumbnails,
}

impl Object {
    fn domain(self) -> &'static [u8] {
        match self {
            Self::Video => b"media:v1:",
            Self::Poster => b"poster:v1:",
            Self::Thumbnails => b"thumbnails:v1:",
        }
    }
}

fn mac(
    secret: &(impl AsRef<[u8]> + ?Sized),
    object: Object,
    video_id: &str,
    exp: i64,
) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_ref()).unwrap_or_else(|_| {
        // HMAC takes keys of any length; this branch cannot be reached.
        Hmac::<Sha256>::new_from_slice(b"reel").unwrap_or_else(|_| unreachable!())
    });
    mac.update(object.domain());
    mac.update(video_id.as_bytes());
    mac.update(b":");
    mac.update(exp.to_string().as_bytes());
    mac
}

/// A display URL for `video_id`, valid from `now` (Unix seconds) for at least an hour.
pub fn display_url(secret: &(impl AsRef<[u8]> + ?Sized), video_id: &str, now: i64) -> String {
    signed_url(secret, Object::Video, video_id, now)
}

/// A signed URL for `object` of `video_id`, valid from `now` for at least an hour.
pub fn signed_url(
    secret: &(impl AsRef<[u8]> + ?Sized),
    object: Object,
    video_id: &str,
    now: i64,
) -> String {
    let exp = (now + LIFETIME_SECS + STEP_SECS - 1) / STEP_SECS * STEP_SECS;
    let sig = URL_SAFE_NO_PAD.encode(mac(secret, object, video_id, exp).finalize().into_bytes());
    let path = match object {
        Object::Video => format!("/media/{video_id}"),
        Object::Poster => format!("/media/{video_id}/poster"),
        Object::Thumbnails => format!("/media/{video_id}/thumbnails"),
    };
    format!("{path}?exp={exp}&sig={sig}")
}

/// Whether a display URL's signature is genuine and unexpired (compared in constant time).
pub fn verify(
    secret: &(impl AsRef<[u8]> + ?Sized),
    video_id: &str,
    exp: i64,
    sig: &str,
    now: i64,
) -> bool {
    verify_for(secret, Object::Video, video_id, exp, sig, now)
}

/// Whether a signature for `object` is genuine and unexpired (compared in constant time).
pub fn verify_for(
    secret: &(impl AsRef<[u8]> + ?Sized),
    object: Object,
    video_id: &str,
    exp: i64,
    sig: &str,
    now: i64,
) -> bool {
    // Nothing Reel signs lives longer than this: a URL that claims to (a leaked key's forgery,
    // or one signed by a build with a longer lifetime) is refused.
    if exp < now || exp > now.saturating_add(LIFETIME_SECS + STEP_SECS) {
        return false;
    }
    let Ok(sig) = URL_SAFE_NO_PAD.decode(sig) else {
        return false;
    };
    mac(secret, object, video_id, exp)
        .verify_slice(&sig)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> [u8; 32] {
        [0x11; 32]
    }

    fn parts(url: &str) -> (i64, String) {
        let query = url.split_once('?').expect("query").1;
        let mut exp = 0;
        let mut sig = String::new();
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("exp", v)) => exp = v.parse().expect("exp"),
                Some(("sig", v)) => sig = v.to_string(),
                _ => {}
            }
        }
        (exp, sig)
    }

    #[test]
    fn a_fresh_url_verifies_for_at_least_an_hour_and_is_stable() {
        let url = display_url(&key(), "vid", 1_000_000);
        assert_eq!(url, display_url(&key(), "vid", 1_000_001));
        let (exp, sig) = parts(&url);
        assert!(exp >= 1_000_000 + LIFETIME_SECS);
        assert!(verify(&key(), "vid", exp, &sig, 1_000_000 + LIFETIME_SECS));
    }

    #[test]
    fn tampering_or_expiry_fails() {
        let (exp, sig) = parts(&display_url(&key(), "vid", 0));
        assert!(!verify(&key(), "other", exp, &sig, 0));
        assert!(!verify(&key(), "vid", exp + 1, &sig, 0));
        assert!(!verify(&key(), "vid", exp, "AAAA", 0));
        assert!(!verify(&key(), "vid", exp, &sig, exp + 1));
        let other = [0x22u8; 32];
        assert!(!verify(&other, "vid", exp, &sig, 0));
    }

    #[test]
    fn a_signature_reaches_only_the_object_it_was_made_for() {
        let (exp, sig) = parts(&signed_url(&key(), Object::Poster, "vid", 0));
        assert!(verify_for(&key(), Object::Poster, "vid", exp, &sig, 0));
        assert!(!verify(&key(), "vid", exp, &sig, 0), "not the video");
        assert!(!verify_for(&key(), Object::Thumbnails, "vid", exp, &sig, 0));
        assert!(!verify_for(&key(), Object::Poster, "other", exp, &sig, 0));
        assert!(
            signed_url(&key(), Object::Thumbnails, "vid", 0).starts_with("/media/vid/thumbnails?")
        );
    }

    #[test]
    fn a_genuine_signature_with_an_expiry_far_in_the_future_is_refused() {
        let exp = 1i64 << 62;
        let sig = URL_SAFE_NO_PAD.encode(
            mac(&key(), Object::Video, "vid", exp)
                .finalize()
                .into_bytes(),
        );
        assert!(!verify(&key(), "vid", exp, &sig, 1_000_000));
        // The longest lifetime Reel itself signs still verifies at once.
        let (exp, sig) = parts(&display_url(&key(), "vid", 1_000_000));
        assert!(verify(&key(), "vid", exp, &sig, 1_000_000));
    }
}
