//! Password hashing with argon2id (the `argon2` crate's defaults follow OWASP's guidance).

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};
use std::sync::OnceLock;

/// Shortest password accepted for a new account.
pub const MIN_LENGTH: usize = 8;

/// Hashes a password into a PHC string.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
}

/// Checks a password against a stored hash. With no stored hash it still does the work of one
/// check, so a wrong email takes as long as a wrong password and reveals nothing.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let fallback = DUMMY.get_or_init(|| hash("reel-timing-equaliser").unwrap_or_default());
    let Ok(parsed) = PasswordHash::new(stored.unwrap_or(fallback)) else {
        return false;
    };
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    matches && stored.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let stored = hash("correct horse").expect("hashes");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse", Some(&stored)));
        assert!(!verify("wrong horse", Some(&stored)));
    }

    #[test]
    fn no_stored_hash_never_verifies() {
        assert!(!verify("reel-timing-equaliser", None));
    }
}
