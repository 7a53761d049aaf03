//! Where each key of the schema file is, found in one pass over its text.
//!
//! Findings about a variable point at its key in the schema. Searching the text from the
//! start for every finding is quadratic in a large schema with many findings; this index is
//! built once, the first time a position is asked for.

use std::collections::HashMap;

use crate::columns::Columns;

/// The 1-based line and column of the first place each name is written as a mapping key:
/// at the start of a line (after indentation), or after `{` or `,` in a flow mapping, and
/// followed by `:`.
pub(super) fn key_positions(source: &str) -> HashMap<String, (u32, u32)> {
    let mut out = HashMap::new();
    for (i, line) in source.split('\n').enumerate() {
        let bytes = line.as_bytes();
        let mut columns = Columns::new(line);
        let mut starts = vec![line.len() - line.trim_start().len()];
        starts.extend(memchr::memchr2_iter(b'{', b',', bytes).map(|at| {
            let after = &line[at + 1..];
            at + 1 + (after.len() - after.trim_start().len())
        }));
        for start in starts {
            let token_len = line[start..]
                .find(|c: char| c == ':' || c.is_whitespace() || "\"'{},[]#".contains(c))
                .unwrap_or(line.len() - start);
            if token_len == 0 {
                continue;
            }
            let after = line[start + token_len..].trim_start_matches([' ', '"', '\'']);
            if after.starts_with(':') {
                let column = columns.at(start);
                out.entry(line[start..start + token_len].to_string())
                    .or_insert((i as u32 + 1, column));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_and_flow_keys() {
        let p = key_positions("env:\n  vars:\n    PORT: { type: port, min: 1 }\n    É_X:  1\n");
        assert_eq!(p["env"], (1, 1));
        assert_eq!(p["PORT"], (3, 5));
        assert_eq!(p["type"], (3, 13));
        assert_eq!(p["min"], (3, 25));
        assert_eq!(p["É_X"], (4, 5));
    }

    /// Thousands of keys: one pass, every column counted once.
    #[test]
    fn the_text_is_read_once() {
        let mut source = String::from("env:\n  vars:\n");
        for i in 0..5000 {
            source.push_str(&format!("    VAR_{i}: {{ type: int, min: 1, max: 9 }}\n"));
        }
        let before = crate::columns::work::counted();
        let p = key_positions(&source);
        let counted = crate::columns::work::counted() - before;
        assert_eq!(p["VAR_4999"], (5002, 5));
        assert!(
            counted <= 2 * source.len(),
            "counted {counted} of {}",
            source.len()
        );
    }
}
