//! Random identifiers and tokens from the operating system's CSPRNG stream.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// `n` random bytes as lowercase hex.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A new public activity id: `act_` and 16 hex digits.
pub fn activity_id() -> String {
    format!("act_{}", random_hex(8))
}

/// SHA-256 as lowercase hex (tokens are stored hashed).
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}
