//! Password hashing with argon2id (the `argon2` crate's defaults follow OWASP's guidance).
//!
//! Each hash and check takes 19 MiB of working memory and gives it back to the system after:
//! the block is allocated with more capacity than glibc's largest mmap threshold (32 MiB on
//! 64-bit), so it is always a mapping of its own, unmapped when freed. A block of exactly 19 MiB
//! would, after the first one, come from the heap and stay resident for the life of the
//! process (glibc raises its mmap threshold to the largest block freed), and a buffer kept for
//! reuse stays resident too: either way 19 MiB of the server's 64 MiB budget gone at the first
//! sign-in. The capacity past what argon2 uses is never touched, so it costs no memory.

use argon2::password_hash::{rand_core::OsRng, Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::Mutex;

/// Shortest password accepted for a new account.
pub const MIN_LENGTH: usize = 8;

/// An argon2id PHC string with the default parameters and a random output that matches no
/// password anyone knows. Checking against it costs exactly what a real check costs.
const EQUALISER: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$cmVlbC10aW1pbmctc2FsdA$LtVyqKCgmOZzS0KDWkXSJ3lTw9T7r4ucXvDe2uKGsd8";

/// Sign-ins take turns (each takes tens of ms): at most one working memory exists at a time,
/// and a burst of sign-ins cannot take every core.
static TURN: Mutex<()> = Mutex::new(());

/// Address space reserved for each working memory (see the module documentation).
const RESERVED_BYTES: usize = 33 << 20;

fn compute(
    argon: &Argon2<'_>,
    params: &Params,
    password: &str,
    salt: &[u8],
    out: &mut [u8],
) -> anyhow::Result<()> {
    let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    let blocks = params.block_count();
    let mut memory: Vec<Block> =
        Vec::with_capacity(blocks.max(RESERVED_BYTES / std::mem::size_of::<Block>()));
    memory.resize(blocks, Block::default());
    argon
        .hash_password_into_with_memory(password.as_bytes(), salt, out, &mut memory[..])
        .map_err(|e| anyhow::anyhow!("argon2 failed: {e}"))
}

/// Hashes a password into a PHC string.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(&argon, &params, password, salt_raw, &mut out)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params)
            .try_into()
            .map_err(|e| anyhow::anyhow!("params: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("output: {e}"))?),
    };
    Ok(phc.to_string())
}

/// Checks a password against a stored hash. With no stored hash it still does the work of one
/// check, so a wrong email takes as long as a wrong password and reveals nothing.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let check = || -> anyhow::Result<bool> {
        let phc =
            PasswordHash::new(stored.unwrap_or(EQUALISER)).map_err(|e| anyhow::anyhow!("{e}"))?;
        let params = Params::try_from(&phc).map_err(|e| anyhow::anyhow!("{e}"))?;
        let algorithm = Algorithm::try_from(phc.algorithm).map_err(|e| anyhow::anyhow!("{e}"))?;
        let version = phc
            .version
            .map(Version::try_from)
            .transpose()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let (Some(salt), Some(expected)) = (phc.salt, phc.hash) else {
            return Ok(false);
        };
        let mut salt_bytes = [0u8; 64];
        let salt_raw = salt
            .decode_b64(&mut salt_bytes)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let argon = Argon2::new(algorithm, version.unwrap_or_default(), params.clone());
        let mut out = vec![0u8; expected.len()];
        compute(&argon, &params, password, salt_raw, &mut out)?;
        // `Output`'s equality is constant-time.
        Ok(Output::new(&out).map_err(|e| anyhow::anyhow!("{e}"))? == expected)
    };
    check().unwrap_or(false) && stored.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let stored = hash("correct horse").expect("hashes");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse", Some(&stored)));
        assert!(!verify("wrong horse", Some(&stored)));
    }

    #[test]
    fn hashes_interoperate_with_the_argon2_crates_own_verifier() {
        let stored = hash("correct horse").expect("hashes");
        let parsed = PasswordHash::new(&stored).expect("parses");
        assert!(Argon2::default()
            .verify_password(b"correct horse", &parsed)
            .is_ok());
        let theirs = argon2::PasswordHasher::hash_password(
            &Argon2::default(),
            b"s3cret",
            &SaltString::generate(&mut OsRng),
        )
        .expect("hashes")
        .to_string();
        assert!(verify("s3cret", Some(&theirs)));
    }

    #[test]
    fn no_stored_hash_never_verifies() {
        assert!(!verify("reel-timing-equaliser", None));
    }

    #[test]
    fn the_equaliser_uses_the_same_parameters_as_real_hashes() {
        let real = hash("anything").expect("hashes");
        let params = |h: &str| h.split('$').nth(3).map(str::to_string);
        assert_eq!(params(EQUALISER), params(&real));
    }
}
