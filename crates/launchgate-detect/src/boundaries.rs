//! Where a match begins and ends in the text around it: a provider's name inside a longer
//! word, or a token shape that runs on into a file's name, is not a match.

/// Whether a match that begins with a letter at `start` begins inside a word of `bytes`: a
/// provider's name inside another word (`okta` in `rookTable`, `stability` in
/// `instability`). A capital after a small letter starts a new word (`myOktaKey`).
pub(crate) fn starts_inside_word(bytes: &[u8], start: usize) -> bool {
    let (Some(&first), Some(&before)) = (bytes.get(start), start.checked_sub(1).and_then(|i| bytes.get(i)))
    else {
        return false;
    };
    first.is_ascii_alphabetic()
        && before.is_ascii_alphabetic()
        && !(before.is_ascii_lowercase() && first.is_ascii_uppercase())
}

/// Extensions of the files a web build names by content hash (`logo.ico-7a38….png`).
const ASSET_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "avif", "css", "js", "mjs", "cjs", "map", "woff",
    "woff2", "ttf", "eot", "html", "htm",
];

/// Whether the text right after a match (`after`) continues it into a file's name: a
/// content hash in an asset's name, not a credential.
pub(crate) fn continues_as_file_name(after: &[u8]) -> bool {
    let Some(rest) = after.strip_prefix(b".") else {
        return false;
    };
    let ext_len = rest.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
    let (ext, tail) = rest.split_at(ext_len);
    ASSET_EXTENSIONS
        .iter()
        .any(|e| ext.eq_ignore_ascii_case(e.as_bytes()))
        && tail
            .first()
            .is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'@' && *b != b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_match_starting_inside_a_word_is_told_from_one_starting_a_word() {
        let at = |text: &str, word: &str| starts_inside_word(text.as_bytes(), text.find(word).unwrap());
        assert!(at("rookTable = 00", "okTa"));
        assert!(at("FOOBAROKTA_TOKEN", "OKTA"));
        assert!(!at("myOktaToken = 00", "Okta"));
        assert!(!at("MY_OKTA_TOKEN", "OKTA"));
        assert!(!at("okta_token", "okta"));
        assert!(!at("x=ghp_", "ghp_"));
        assert!(!at("TOKEN=FlyV1", "=FlyV1"), "a match that starts at punctuation");
    }

    #[test]
    fn a_hash_in_an_asset_name_continues_into_its_extension() {
        assert!(continues_as_file_name(b".png\""));
        assert!(continues_as_file_name(b".js"));
        assert!(continues_as_file_name(b".woff2) format"));
        assert!(!continues_as_file_name(b".png@example.com"), "an address goes on");
        assert!(!continues_as_file_name(b".example.com"));
        assert!(!continues_as_file_name(b"\"; // key"));
        assert!(!continues_as_file_name(b".jsonp"));
    }
}
