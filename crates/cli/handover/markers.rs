//! The generated parts of a handover document: text between `<!-- launchgate:begin NAME -->`
//! and `<!-- launchgate:end NAME -->`, rewritten on every run; everything else is the
//! reader's and is kept as written.

use launchgate_core::Error;

pub fn begin(name: &str) -> String {
    format!("<!-- launchgate:begin {name} -->")
}

pub fn end(name: &str) -> String {
    format!("<!-- launchgate:end {name} -->")
}

/// `body` between its markers, as a new document writes it.
pub fn block(name: &str, body: &str) -> String {
    format!("{}\n{}\n{}\n", begin(name), body.trim_end(), end(name))
}

/// The text between the markers of `name` in `text`, if both are there once and in order.
pub fn body<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let (start, stop) = span(text, name).ok()?;
    Some(&text[start..stop])
}

/// Where the body of `name` starts and ends; an error naming what is wrong otherwise.
fn span(text: &str, name: &str) -> Result<(usize, usize), String> {
    let (open, close) = (begin(name), end(name));
    let count = |marker: &str| text.matches(marker).count();
    match (count(&open), count(&close)) {
        (1, 1) => {}
        (0, _) => return Err(format!("the marker `{open}` is missing")),
        (_, 0) => return Err(format!("the marker `{close}` is missing")),
        _ => return Err(format!("the markers of `{name}` appear more than once")),
    }
    let start = text.find(&open).map(|i| i + open.len()).unwrap_or_default();
    let stop = text.find(&close).unwrap_or_default();
    if stop < start {
        return Err(format!("`{close}` comes before `{open}`"));
    }
    Ok((start, stop))
}

/// `existing` with the body of every block in `blocks` replaced. Refused, naming the file
/// and the marker, when a block's markers were removed, doubled or swapped by hand.
pub fn replace_blocks(file: &str, existing: &str, blocks: &[(String, String)]) -> Result<String, Error> {
    let mut text = existing.to_string();
    for (name, body) in blocks {
        let (start, stop) = span(&text, name).map_err(|why| {
            Error::input(format!(
                "{file} was edited by hand and {why}: the generated parts cannot be found, so nothing was written"
            ))
            .with_help(format!(
                "put `{}` and `{}` back around that part, or move {file} away and run `launchgate handover` again",
                begin(name),
                end(name)
            ))
        })?;
        text.replace_range(start..stop, &format!("\n{}\n", body.trim_end()));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_replaced_and_the_rest_is_kept() {
        let old = format!("# Mine\nnotes\n{}after\n", block("a", "old body"));
        let new = replace_blocks("H.md", &old, &[("a".into(), "new body".into())]).unwrap();
        assert_eq!(new, format!("# Mine\nnotes\n{}after\n", block("a", "new body")));
        assert_eq!(body(&new, "a"), Some("\nnew body\n"));
    }

    #[test]
    fn removed_doubled_or_swapped_markers_are_refused() {
        let blocks = [("a".to_string(), "x".to_string())];
        let e = replace_blocks("H.md", "no markers\n", &blocks).unwrap_err();
        assert!(
            e.message()
                .contains("H.md was edited by hand and the marker `<!-- launchgate:begin a -->` is missing"),
            "{}",
            e.message()
        );
        assert!(e.message().contains("nothing was written"));
        let doubled = format!("{}{}", block("a", "1"), block("a", "2"));
        assert!(
            replace_blocks("H.md", &doubled, &blocks)
                .unwrap_err()
                .message()
                .contains("more than once")
        );
        let swapped = format!("{}\n{}\n", end("a"), begin("a"));
        assert!(
            replace_blocks("H.md", &swapped, &blocks)
                .unwrap_err()
                .message()
                .contains("comes before")
        );
    }
}
