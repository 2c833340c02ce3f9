//! The tool's own RSA keys: made with OpenSSL (already linked for TLS), the private half
//! sealed with AES-256-GCM under a key derived from the server's secret, published as a JWK
//! set at `/lti/jwks`. Every instance that shares the database and `REEL_SECRET_KEY` signs
//! with the same key; the database alone cannot.

use crate::config::SecretKey;
use crate::db::lti::ToolKey;
use anyhow::{anyhow, Context};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::symm::{decrypt_aead, encrypt_aead, Cipher};
use rand::RngCore;
use serde_json::{json, Value};
use sha2::Sha256;

/// The sealing key: an HMAC of a fixed label under the server's secret, so it is never the
/// secret itself (which also signs display URLs).
fn sealing_key(secret: &SecretKey) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose()).expect("HMAC takes any key");
    mac.update(b"reel lti private key v1");
    mac.finalize().into_bytes().into()
}

/// Seals `plain` as `base64(iv | tag | ciphertext)`; the key ID is bound in as associated data.
fn seal(secret: &SecretKey, kid: &str, plain: &[u8]) -> anyhow::Result<String> {
    let mut iv = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut iv);
    let mut tag = [0u8; 16];
    let sealed = encrypt_aead(
        Cipher::aes_256_gcm(),
        &sealing_key(secret),
        Some(&iv),
        kid.as_bytes(),
        plain,
        &mut tag,
    )?;
    Ok(STANDARD.encode([&iv[..], &tag[..], &sealed[..]].concat()))
}

fn unseal(secret: &SecretKey, kid: &str, sealed: &str) -> anyhow::Result<Vec<u8>> {
    let bytes = STANDARD
        .decode(sealed)
        .context("the sealed key is not base64")?;
    if bytes.len() < 28 {
        return Err(anyhow!("the sealed key is too short"));
    }
    let (iv, rest) = bytes.split_at(12);
    let (tag, data) = rest.split_at(16);
    decrypt_aead(
        Cipher::aes_256_gcm(),
        &sealing_key(secret),
        Some(iv),
        kid.as_bytes(),
        data,
        tag,
    )
    .context("the tool's LTI key cannot be opened: was REEL_SECRET_KEY changed?")
}

/// A new 2048-bit key, sealed, ready to store.
pub fn generate(secret: &SecretKey, now: i64) -> anyhow::Result<ToolKey> {
    let rsa = Rsa::generate(2048)?;
    let (n, e) = (rsa.n().to_vec(), rsa.e().to_vec());
    let pem = PKey::from_rsa(rsa)?.private_key_to_pem_pkcs8()?;
    let mut id = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut id);
    let kid = URL_SAFE_NO_PAD.encode(id);
    Ok(ToolKey {
        sealed_private_key: seal(secret, &kid, &pem)?,
        kid,
        public_n: URL_SAFE_NO_PAD.encode(n),
        public_e: URL_SAFE_NO_PAD.encode(e),
        created_at: now,
        retired_at: None,
    })
}

/// The private key as PKCS#8 PEM, to sign with.
pub fn private_pem(secret: &SecretKey, key: &ToolKey) -> anyhow::Result<Vec<u8>> {
    unseal(secret, &key.kid, &key.sealed_private_key)
}

/// The JWK set that publishes `keys` (public halves only).
pub fn jwk_set(keys: &[ToolKey]) -> Value {
    let keys: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({
                "kty": "RSA",
                "alg": "RS256",
                "use": "sig",
                "kid": k.kid,
                "n": k.public_n,
                "e": k.public_e,
            })
        })
        .collect();
    json!({ "keys": keys })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(byte: u8) -> SecretKey {
        SecretKey::from_text(&hex::encode([byte; 32])).expect("key")
    }

    #[test]
    fn a_sealed_key_opens_with_its_secret_only() {
        let key = generate(&secret(1), 0).expect("key");
        let pem = private_pem(&secret(1), &key).expect("opens");
        assert!(String::from_utf8(pem)
            .expect("utf8")
            .starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(private_pem(&secret(2), &key).is_err());
        // Moved to another key ID, it does not open either.
        let moved = ToolKey {
            kid: "other".into(),
            ..key.clone()
        };
        assert!(private_pem(&secret(1), &moved).is_err());
        assert!(!key.sealed_private_key.contains("PRIVATE"));
    }

    #[test]
    fn the_jwk_set_publishes_public_halves_only() {
        let key = generate(&secret(1), 0).expect("key");
        let set = jwk_set(std::slice::from_ref(&key));
        let jwk = &set["keys"][0];
        assert_eq!(jwk["kid"], key.kid.as_str());
        assert_eq!(jwk["alg"], "RS256");
        assert_eq!(jwk["e"], "AQAB");
        let text = set.to_string();
        assert!(!text.contains("\"d\"") && !text.contains(&key.sealed_private_key));
    }
}
