//! Display URLs: a fresh one verifies until its expiry and not after, and `verify` accepts
//! nothing but the exact signature `display_url` made for that video and expiry.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parsers::signing::{display_url, verify, LIFETIME_SECS};

/// (video ID, clock, which parts to replace, expiry shift, check time, other ID, other sig)
type Input<'a> = (&'a str, u64, u8, i64, i64, &'a str, &'a str);

fuzz_target!(|input: Input| {
    let (id, now, replace, exp_shift, at, other_id, other_sig) = input;
    let key = [0x5au8; 32];
    // The server's clock: Unix seconds, not before 1970 nor past the year 36000.
    let now = (now % (1 << 40)) as i64;

    let url = display_url(&key, id, now);
    let (path, query) = url.rsplit_once("?exp=").expect("query");
    assert_eq!(path, format!("/media/{id}"));
    let (exp, sig) = query.split_once("&sig=").expect("sig");
    let exp: i64 = exp.parse().expect("exp is a number");
    assert!(
        (now + LIFETIME_SECS..now + LIFETIME_SECS + 600).contains(&exp),
        "{url}"
    );
    assert!(verify(&key, id, exp, sig, now), "{url} fresh");
    assert!(verify(&key, id, exp, sig, exp), "{url} at expiry");
    assert!(!verify(&key, id, exp, sig, exp + 1), "{url} past expiry");
    let other_key = [0xa5u8; 32];
    assert!(
        !verify(&other_key, id, exp, sig, now),
        "{url} under another key"
    );

    let id2 = if replace & 1 != 0 { other_id } else { id };
    let exp2 = if replace & 2 != 0 {
        exp.wrapping_add(exp_shift)
    } else {
        exp
    };
    let sig2 = if replace & 4 != 0 { other_sig } else { sig };
    let at = if replace & 8 != 0 { at } else { now };
    if verify(&key, id2, exp2, sig2, at) {
        assert!(
            id2 == id
                && exp2 == exp
                && sig2 == sig
                && (exp - LIFETIME_SECS - 600..=exp).contains(&at),
            "accepted {id2:?} exp {exp2} sig {sig2:?} at {at}; genuine {url}"
        );
    }
});
