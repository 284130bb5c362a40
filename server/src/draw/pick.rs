//! The draw itself, as pure functions: where a roll lands, and where rolls
//! come from (the CSPRNG, or the provably-fair derivation).

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::{Digest, Sha256};

/// The index of the prize whose slice of `[0, total)` holds `roll`, taking
/// prizes in order with `weights[i]` numbers each; `None` when the roll falls
/// past every prize (the "thanks" remainder).
pub fn pick(weights: &[i64], roll: i64) -> Option<usize> {
    let mut upper: i64 = 0;
    for (i, &w) in weights.iter().enumerate() {
        upper = upper.saturating_add(w.max(0));
        if roll < upper {
            return Some(i);
        }
    }
    None
}

/// A uniform roll in `[0, total)` from the thread's CSPRNG (ChaCha, seeded
/// and reseeded from the operating system).
pub fn random_roll(total: i64) -> i64 {
    rand::rng().random_range(0..total.max(1))
}

/// The public reference of a player in fair-mode derivations: the first 16 hex
/// digits of SHA-256 of the partner's user id, so the public record does not
/// show the id itself but every player can find their own draws.
pub fn player_ref(u_id: &str) -> String {
    hex::encode(&Sha256::digest(u_id.as_bytes())[..8])
}

/// The provably-fair roll: HMAC-SHA256 keyed with the seed's raw bytes over
/// `"{activity_id}:{player_ref}:{seq}"`, its first 8 bytes as a big-endian
/// integer `x`, scaled to `[0, total)` as `floor(x * total / 2^64)`.
pub fn fair_roll(seed_hex: &str, activity_id: &str, player_ref: &str, seq: i64, total: i64) -> i64 {
    let key = hex::decode(seed_hex).unwrap_or_default();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(format!("{activity_id}:{player_ref}:{seq}").as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let x = u128::from(u64::from_be_bytes(first));
    ((x * total.max(1) as u128) >> 64) as i64
}

/// Whether `seed_hex` is the seed of `commitment` (SHA-256 of the raw bytes).
pub fn seed_matches(seed_hex: &str, commitment: &str) -> bool {
    match hex::decode(seed_hex) {
        Ok(raw) => hex::encode(Sha256::digest(raw)) == commitment,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn rolls_land_in_their_slices() {
        let weights = [10, 0, 30];
        assert_eq!(pick(&weights, 0), Some(0));
        assert_eq!(pick(&weights, 9), Some(0));
        assert_eq!(pick(&weights, 10), Some(2));
        assert_eq!(pick(&weights, 39), Some(2));
        assert_eq!(pick(&weights, 40), None);
    }

    /// Chi-square goodness of fit over 200,000 rolls from a fixed ChaCha seed:
    /// the observed counts match the configured odds.
    #[test]
    fn observed_frequencies_match_the_odds() {
        let weights = [10_000i64, 50_000, 200_000, 100_000];
        let total = 1_000_000i64;
        let mut rng = ChaCha20Rng::seed_from_u64(20_261_125);
        let n = 200_000;
        let mut counts = [0u64; 5];
        for _ in 0..n {
            let roll = rng.random_range(0..total);
            counts[pick(&weights, roll).unwrap_or(4)] += 1;
        }
        let thanks = total - weights.iter().sum::<i64>();
        let expected: Vec<f64> = weights
            .iter()
            .chain(std::iter::once(&thanks))
            .map(|&w| n as f64 * w as f64 / total as f64)
            .collect();
        let chi2: f64 = counts
            .iter()
            .zip(&expected)
            .map(|(&o, &e)| (o as f64 - e).powi(2) / e)
            .sum();
        // 4 degrees of freedom: the 0.999 quantile is 18.47.
        assert!(
            chi2 < 18.47,
            "chi-square {chi2} for {counts:?} vs {expected:?}"
        );
    }

    #[test]
    fn fair_rolls_are_deterministic_and_in_range() {
        let seed = "00".repeat(32);
        let a = fair_roll(&seed, "act_1", "ref", 1, 1_000_000);
        assert_eq!(a, fair_roll(&seed, "act_1", "ref", 1, 1_000_000));
        assert_ne!(a, fair_roll(&seed, "act_1", "ref", 2, 1_000_000));
        for seq in 0..1000 {
            let r = fair_roll(&seed, "act_1", "ref", seq, 7);
            assert!((0..7).contains(&r));
        }
    }

    #[test]
    fn fair_rolls_are_uniform_enough() {
        let seed = "ab".repeat(32);
        let mut counts = [0u64; 10];
        for seq in 0..50_000 {
            counts[fair_roll(&seed, "act", "p", seq, 10) as usize] += 1;
        }
        let e = 5_000.0;
        let chi2: f64 = counts.iter().map(|&o| (o as f64 - e).powi(2) / e).sum();
        // 9 degrees of freedom: the 0.999 quantile is 27.88.
        assert!(chi2 < 27.88, "{counts:?}");
    }

    #[test]
    fn the_commitment_is_sha256_of_the_raw_seed() {
        let seed = "01".repeat(32);
        let commitment = hex::encode(Sha256::digest([1u8; 32]));
        assert!(seed_matches(&seed, &commitment));
        assert!(!seed_matches(&"02".repeat(32), &commitment));
    }
}
