//! Entropy judged against the value's own alphabet.
//!
//! A random hex string carries at most 4 bits per character and a random base64 string 6, so
//! one absolute bar (say 3.8 bits) rejects most hex secrets while letting long word-like
//! values through. A value is therefore also compared with what a uniformly random value of
//! the same alphabet and length would show: the expected Shannon entropy of `n` draws from
//! `k` symbols, which is well below `log2 k` for short values. A rule's `min_entropy` stays
//! the bar for values that could be base64; a value from a smaller alphabet (or a short one)
//! passes when it reaches [`RANDOM_SHARE`] of a random value's entropy.

use std::sync::OnceLock;

/// The share of a random value's expected entropy a value must reach when the rule's absolute
/// bar is out of reach for its alphabet and length. Random values fall below their
/// expectation by a few percent at most; English-like identifiers fall well below.
pub const RANDOM_SHARE: f64 = 0.9;

/// The least randomness, in bits (length times `log2` of the alphabet's size), a value needs
/// before its own alphabet and length may lower the bar: below it (`guest`, an 8-character
/// key) a value is too short to be told from a word by entropy, and keeps the rule's bar.
pub const MIN_BITS_FOR_RELIEF: f64 = 80.0;

/// Longest length with an exact expected entropy; longer values use the asymptotic form.
const EXACT_UP_TO: usize = 256;

/// The smallest common token alphabet a value fits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alphabet {
    /// `0-9`.
    Decimal,
    /// `0-9a-f` (either case), after an optional `0x`.
    Hex,
    /// RFC 4648 base32: `A-Z2-7`, optional `=` padding.
    Base32,
    /// Letters of one case and digits: `a-z0-9` or `A-Z0-9`.
    Alnum36,
    /// Letters of both cases and digits.
    Base62,
    /// Base62 plus `+/=` or the URL-safe `-_` (and `.` of dotted tokens).
    Base64,
    /// Any other printable text.
    Printable,
}

impl Alphabet {
    /// How many symbols the alphabet has.
    pub fn size(self) -> u32 {
        match self {
            Alphabet::Decimal => 10,
            Alphabet::Hex => 16,
            Alphabet::Base32 => 32,
            Alphabet::Alnum36 => 36,
            Alphabet::Base62 => 62,
            Alphabet::Base64 => 64,
            Alphabet::Printable => 95,
        }
    }

    const ALL: [Alphabet; 7] = [
        Alphabet::Decimal,
        Alphabet::Hex,
        Alphabet::Base32,
        Alphabet::Alnum36,
        Alphabet::Base62,
        Alphabet::Base64,
        Alphabet::Printable,
    ];

    fn index(self) -> usize {
        Alphabet::ALL
            .iter()
            .position(|a| *a == self)
            .unwrap_or(Alphabet::ALL.len() - 1)
    }
}

/// The alphabet of a value, and the part of it that carries the randomness (`0x` dropped).
pub fn classify(value: &str) -> (Alphabet, &str) {
    let body = value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
        .filter(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or(value);
    let (mut digit, mut lower, mut upper, mut hex_only, mut base32) = (false, false, false, true, true);
    let (mut b64_extra, mut other) = (false, false);
    for b in body.bytes() {
        match b {
            b'0'..=b'9' => {
                digit = true;
                base32 &= (b'2'..=b'7').contains(&b);
            }
            b'a'..=b'z' => {
                lower = true;
                hex_only &= b <= b'f';
                base32 = false;
            }
            b'A'..=b'Z' => {
                upper = true;
                hex_only &= b <= b'F';
            }
            b'+' | b'/' | b'-' | b'_' | b'.' => b64_extra = true,
            b'=' => {}
            _ => other = true,
        }
    }
    let padded = body.contains('=');
    // A UUID's dashes are its layout, not part of its alphabet: its digits are hex.
    let alphabet = if crate::filter::is_uuid(body) {
        Alphabet::Hex
    } else if other || body.is_empty() {
        Alphabet::Printable
    } else if b64_extra || (padded && !(base32 && upper && !lower)) {
        Alphabet::Base64
    } else if !lower && !upper && !padded {
        if digit {
            Alphabet::Decimal
        } else {
            Alphabet::Printable
        }
    } else if hex_only && !padded {
        Alphabet::Hex
    } else if base32 && upper && !lower {
        Alphabet::Base32
    } else if lower && upper {
        Alphabet::Base62
    } else {
        Alphabet::Alnum36
    };
    (alphabet, body)
}

/// The expected Shannon entropy, in bits per character, of `len` characters drawn uniformly
/// from `alphabet`.
pub fn expected_random_entropy(alphabet: Alphabet, len: usize) -> f64 {
    // Each entry is worked out the first time a value of that alphabet and length needs it:
    // the whole table takes milliseconds, which a pre-commit run of a few files would pay
    // for the handful of lengths it meets.
    static TABLE: [[OnceLock<f64>; EXACT_UP_TO + 1]; Alphabet::ALL.len()] =
        [const { [const { OnceLock::new() }; EXACT_UP_TO + 1] }; Alphabet::ALL.len()];
    if len <= EXACT_UP_TO {
        return *TABLE[alphabet.index()][len].get_or_init(|| exact_expected(alphabet.size(), len));
    }
    // Miller–Madow: the plug-in estimate falls short of log2 k by about (k - 1) / (2 n ln 2).
    let k = f64::from(alphabet.size());
    k.log2() - (k - 1.0) / (2.0 * len as f64 * std::f64::consts::LN_2)
}

/// E[H] over `n` uniform draws from `k` symbols: each symbol's count is Binomial(n, 1/k).
fn exact_expected(k: u32, n: usize) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let (k, nf) = (f64::from(k), n as f64);
    let p = 1.0 / k;
    // The probability mass of count c, walked upwards from c = 0 in log space.
    let mut log_pmf = nf * (1.0 - p).ln();
    let ratio = (p / (1.0 - p)).ln();
    let mut per_symbol = 0.0;
    for c in 1..=n {
        let cf = c as f64;
        log_pmf += ((nf - cf + 1.0) / cf).ln() + ratio;
        let share = cf / nf;
        per_symbol -= log_pmf.exp() * share * share.log2();
    }
    k * per_symbol
}

/// The entropy bar a value must reach for a rule whose `min_entropy` is `min_entropy`: the
/// rule's bar, lowered to [`RANDOM_SHARE`] of what a random value of the same alphabet and
/// length shows when that is lower. Digit-only values keep the rule's bar (numbers in
/// settings are far more often ids, counts and times than secrets), and so do values under
/// [`MIN_BITS_FOR_RELIEF`].
pub fn bar_for(min_entropy: f64, value: &str) -> f64 {
    let (alphabet, body) = classify(value);
    let len = body.chars().count();
    if alphabet == Alphabet::Decimal || len as f64 * f64::from(alphabet.size()).log2() < MIN_BITS_FOR_RELIEF {
        return min_entropy;
    }
    let random = expected_random_entropy(alphabet, len);
    min_entropy.min(RANDOM_SHARE * random)
}

/// Whether a value is random enough for a rule with this `min_entropy`.
pub fn passes(min_entropy: f64, value: &str) -> bool {
    let (_, body) = classify(value);
    crate::filter::shannon_entropy(body) >= bar_for(min_entropy, value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::shannon_entropy;

    #[test]
    fn values_are_classified_by_their_smallest_alphabet() {
        let cases = [
            ("4f9c2a7e1b", Alphabet::Hex),
            ("0xC7B2F537AA078DBD", Alphabet::Hex),
            ("JBSWY3DPEHPK3PXP", Alphabet::Base32),
            ("JBSWY3DPEHPK3PXP====", Alphabet::Base32),
            ("k3j5h2g7q9w8e1r4", Alphabet::Alnum36),
            ("K3J5H2G7Q9W8E1R4Z", Alphabet::Alnum36),
            ("Vq3ZtR8mWx2LpN", Alphabet::Base62),
            ("a33gCk_g-lv6TLmQ", Alphabet::Base64),
            ("+riags7ErpAk2MfD=", Alphabet::Base64),
            ("0&%+-i+p^sZeW", Alphabet::Printable),
            ("20261203", Alphabet::Decimal),
            ("9f5c17d2-957e-4dda-ae24-811274ed88e5", Alphabet::Hex),
        ];
        for (value, expected) in cases {
            assert_eq!(classify(value).0, expected, "{value}");
        }
        assert_eq!(classify("0xabc").1, "abc");
    }

    #[test]
    fn expected_entropy_grows_towards_log2_of_the_alphabet() {
        // One character always has zero entropy; two distinct draws of a huge alphabet, one bit.
        assert_eq!(expected_random_entropy(Alphabet::Hex, 1), 0.0);
        let hex = [8, 16, 32, 40, 64, 128, 256, 1000].map(|n| expected_random_entropy(Alphabet::Hex, n));
        assert!(hex.windows(2).all(|w| w[0] < w[1]), "{hex:?}");
        assert!(hex.iter().all(|h| *h < 4.0));
        assert!((hex[4] - 3.83).abs() < 0.05, "64 hex: {}", hex[4]);
        // The exact form and the asymptotic one meet where the table ends.
        let at_end = expected_random_entropy(Alphabet::Base64, EXACT_UP_TO);
        let past_end = expected_random_entropy(Alphabet::Base64, EXACT_UP_TO + 1);
        assert!((at_end - past_end).abs() < 0.02, "{at_end} vs {past_end}");
        assert!(expected_random_entropy(Alphabet::Base64, 40) < 5.0);
    }

    #[test]
    fn each_entry_is_the_exact_expectation_whenever_it_is_first_asked_for() {
        for alphabet in Alphabet::ALL {
            for len in [EXACT_UP_TO, 1, 40, 0, 40, 2] {
                assert_eq!(
                    expected_random_entropy(alphabet, len),
                    exact_expected(alphabet.size(), len),
                    "{alphabet:?} {len}"
                );
            }
        }
    }

    #[test]
    fn random_hex_secrets_pass_a_bar_only_base64_could_reach() {
        // 40, 32 and 64 hex characters: a GitHub-style client secret, a JWT secret, a bot token.
        for secret in [
            "22f9c9bd273cfb569ccd9d2e2c8a1c1547af41dd",
            "d524dc2c46531af869abbf56b1672fbd",
            "5d52bd5a846d63025c482d08f4c1be98e94ad5a9885f229dd8eb2c8744dd4348",
        ] {
            assert!(shannon_entropy(secret) < 3.8, "{secret}");
            assert!(passes(3.8, secret), "{secret}");
        }
    }

    #[test]
    fn short_random_values_are_judged_by_their_length() {
        // 16 distinct characters have exactly 4 bits, never 4.5: an absolute bar of 4.5 could
        // not pass any 16-character value.
        let short = "Vq3ZtR8mWx2LpN7k";
        assert!(shannon_entropy(short) <= 4.0);
        assert!(passes(4.5, short));
    }

    #[test]
    fn word_like_values_stay_below_the_bar() {
        for value in [
            "deadbeefdeadbeef1",
            "passwordpassword1",
            "secret_name_for_the_prod_db_1",
            "aaaaaaaabbbbbbbb",
            "1111111122222222",
            "20260101120000",
        ] {
            assert!(!passes(3.8, value), "{value}");
        }
    }

    #[test]
    fn the_bar_is_never_raised_above_the_rules_own() {
        for value in [
            "9f1c0e7b3a5d",
            "Vq3ZtR8mWx2LpN",
            "a33gCk_g-lv6TLmQX9W1FJWi3yEUl9OXGxPPdh2u",
        ] {
            assert!(bar_for(3.0, value) <= 3.0);
        }
        assert_eq!(bar_for(3.0, "2026010112"), 3.0);
        // Too short to tell from a word: 8 base62 characters are 48 bits at most.
        assert_eq!(bar_for(3.8, "lK7qnZkg"), 3.8);
        assert_eq!(bar_for(3.0, "guest"), 3.0);
        assert_eq!(bar_for(3.8, "oauth2_token"), 3.8);
    }
}
