//! Git LFS pointer files: what a history scan reports as content it could not see.

/// Whether a blob is a Git LFS pointer: under 1 KiB, `version` first, then `oid` and `size`
/// (and `ext-N-name` lines), each `key value` and ending in a newline, nothing else. Only
/// the note counts on this: a pointer's text is still scanned, so a blob that merely starts
/// like one cannot carry a secret past the scan.
pub(super) fn is_lfs_pointer(data: &[u8]) -> bool {
    const VERSION: &[u8] = b"version https://git-lfs.github.com/spec/v1\n";
    if data.len() >= 1024 || !data.starts_with(VERSION) || !data.ends_with(b"\n") {
        return false;
    }
    let (mut oid, mut size) = (false, false);
    for line in data[VERSION.len()..data.len() - 1].split(|&b| b == b'\n') {
        let Some(space) = line.iter().position(|&b| b == b' ') else {
            return false;
        };
        let (key, value) = (&line[..space], &line[space + 1..]);
        match key {
            b"oid" => {
                oid = value.strip_prefix(b"sha256:").is_some_and(|hex| {
                    hex.len() == 64 && hex.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                });
                if !oid {
                    return false;
                }
            }
            b"size" => {
                size = !value.is_empty() && value.iter().all(u8::is_ascii_digit);
                if !size {
                    return false;
                }
            }
            _ if key.starts_with(b"ext-") && !value.is_empty() => {}
            _ => return false,
        }
    }
    oid && size
}

#[cfg(test)]
mod tests {
    use super::*;

    const OID: &str = "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n";

    #[test]
    fn a_pointer_is_version_oid_and_size_alone() {
        let pointer = format!("version https://git-lfs.github.com/spec/v1\n{OID}size 12345\n");
        assert!(is_lfs_pointer(pointer.as_bytes()));
        let with_extension = format!(
            "version https://git-lfs.github.com/spec/v1\next-0-foo sha256:{}\n{OID}size 1\n",
            "a".repeat(64)
        );
        assert!(is_lfs_pointer(with_extension.as_bytes()));
    }

    #[test]
    fn text_that_only_starts_like_a_pointer_is_not_one() {
        for text in [
            format!("version https://git-lfs.github.com/spec/v1\n{OID}size 12345\nSTRIPE_KEY=sk_live_x\n"),
            format!("version https://git-lfs.github.com/spec/v1\n{OID}size 12345"),
            format!("version https://git-lfs.github.com/spec/v1\n{OID}"),
            "version https://git-lfs.github.com/spec/v1\nsize 1\n".to_string(),
            "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n".to_string(),
            format!("version https://git-lfs.github.com/spec/v1\n{OID}size 1k\n"),
            format!(
                "version https://git-lfs.github.com/spec/v1\n{OID}size 1\n{}\n",
                "x".repeat(1024)
            ),
            format!("version https://git-lfs.github.com/spec/v2\n{OID}size 1\n"),
        ] {
            assert!(!is_lfs_pointer(text.as_bytes()), "{text:?}");
        }
    }
}
