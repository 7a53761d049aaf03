//! Base64 and percent-encoding as the gates meet them in the wild, on the base64 and
//! percent-encoding crates: decoding that forgives what hand-written configuration does
//! (missing padding, folded lines, loose trailing bits), and the encoded forms under which a
//! known secret value can reappear in a log, a URL or a bundle.

use base64::Engine as _;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, general_purpose};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Which of the two base64 alphabets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base64 {
    /// `+` and `/`.
    Standard,
    /// `-` and `_` (RFC 4648 §5).
    UrlSafe,
}

/// Decodes base64 with or without its padding, ignoring ASCII whitespace (DNS TXT records
/// and PEM-like values are folded). `None` on any other character outside the alphabet or a
/// length no encoder produces.
pub fn decode_base64(text: &str, alphabet: Base64) -> Option<Vec<u8>> {
    let config = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    let engine = match alphabet {
        Base64::Standard => GeneralPurpose::new(&base64::alphabet::STANDARD, config),
        Base64::UrlSafe => GeneralPurpose::new(&base64::alphabet::URL_SAFE, config),
    };
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    engine.decode(compact).ok()
}

/// Base64 without padding, as the value would appear inside a longer encoded string.
pub fn encode_base64_unpadded(bytes: &[u8], alphabet: Base64) -> String {
    match alphabet {
        Base64::Standard => general_purpose::STANDARD_NO_PAD.encode(bytes),
        Base64::UrlSafe => general_purpose::URL_SAFE_NO_PAD.encode(bytes),
    }
}

/// Everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The value percent-encoded as a URL component, with upper-case hex digits (`%2F`) or, as
/// some clients write them, lower-case ones (`%2f`).
pub fn percent_encode(value: &str, lower_hex: bool) -> String {
    utf8_percent_encode(value, NOT_UNRESERVED)
        .map(|piece| match lower_hex && piece.starts_with('%') {
            true => piece.to_ascii_lowercase(),
            false => piece.to_string(),
        })
        .collect()
}

/// The value as an HTML form sends it (`application/x-www-form-urlencoded`: a space is `+`).
pub fn form_encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_forgives_padding_folding_and_trailing_bits() {
        assert_eq!(decode_base64("aGVsbG8", Base64::Standard).unwrap(), b"hello");
        assert_eq!(decode_base64("aGVsbG8=", Base64::Standard).unwrap(), b"hello");
        assert_eq!(decode_base64("aGVs\n bG8h", Base64::Standard).unwrap(), b"hello!");
        assert_eq!(decode_base64("_-8", Base64::UrlSafe).unwrap(), vec![0xff, 0xef]);
        assert!(decode_base64("_-8", Base64::Standard).is_none());
        assert!(decode_base64("a", Base64::Standard).is_none());
        assert!(decode_base64("aGVs*G8=", Base64::Standard).is_none());
        assert!(decode_base64("aG=Vs", Base64::Standard).is_none());
    }

    #[test]
    fn encoded_forms() {
        assert_eq!(encode_base64_unpadded(b"hi?>", Base64::Standard), "aGk/Pg");
        assert_eq!(encode_base64_unpadded(b"hi?>", Base64::UrlSafe), "aGk_Pg");
        assert_eq!(percent_encode("a/b c~", false), "a%2Fb%20c~");
        assert_eq!(percent_encode("a/b c~", true), "a%2fb%20c~");
        assert_eq!(form_encode("a/b c~"), "a%2Fb+c%7E");
    }
}
