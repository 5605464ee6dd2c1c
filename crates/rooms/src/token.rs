//! Seat and facilitator tokens: 256 random bits from the operating
//! system's generator, written as 64 hexadecimal digits, stored only as
//! their SHA-256 digest and compared with the digest in constant time. A
//! stolen database gives no token; timing a comparison says nothing about
//! how much of a guess was right.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The SHA-256 digest of a token, as stored.
pub type TokenHash = [u8; 32];

/// Random bytes from the operating system, as lowercase hexadecimal.
pub(crate) fn random_hex(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// A new token (256 bits) and its digest.
pub fn new_token() -> Result<(String, TokenHash), getrandom::Error> {
    let token = random_hex(32)?;
    let hash = hash(&token);
    Ok((token, hash))
}

/// The digest of a token as given.
pub fn hash(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// Whether `token` is the one whose digest is `stored`, in time that does
/// not depend on where they differ.
pub fn matches(token: &str, stored: &TokenHash) -> bool {
    hash(token).ct_eq(stored).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_distinct_and_match_only_themselves() {
        let (a, ha) = new_token().unwrap();
        let (b, hb) = new_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(matches(&a, &ha));
        assert!(!matches(&a, &hb));
        assert!(!matches("", &ha));
        assert!(!matches(&a[..63], &ha));
    }
}
