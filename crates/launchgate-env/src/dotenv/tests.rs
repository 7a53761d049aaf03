use super::*;

fn ids(src: &str) -> Vec<(&'static str, u32, u32)> {
    parse(src.as_bytes())
        .problems
        .iter()
        .map(|p| (p.id, p.line, p.column))
        .collect()
}

#[test]
fn clean_file_has_no_problems() {
    let p = parse(b"# c\nA=1\nB=\"two words\" # note\nEXPORT_C='x y'\n");
    assert_eq!(p.problems, vec![]);
    assert_eq!(p.get("B").unwrap().value, "two words");
    assert_eq!(p.get("B").unwrap().comment.as_deref(), Some("# note"));
}

#[test]
fn multiline_double_quoted_value() {
    let p = parse(b"KEY=\"-----BEGIN\nabc\n-----END\"\nNEXT=1\n");
    assert_eq!(p.problems, vec![]);
    let e = p.get("KEY").unwrap();
    assert_eq!(e.value, "-----BEGIN\nabc\n-----END");
    assert_eq!(e.end_line, 3);
    assert_eq!(p.get("NEXT").unwrap().line, 4);
}

#[test]
fn each_problem_has_position() {
    assert_eq!(ids("A=1\nA=2\n"), vec![("duplicate-key", 2, 1)]);
    assert_eq!(ids("FOO-BAR=1\n"), vec![("invalid-key", 1, 4)]);
    assert_eq!(ids("foo=1\n"), vec![("lowercase-key", 1, 1)]);
    assert_eq!(ids("A = 1\n"), vec![("space-around-equals", 1, 2)]);
    assert_eq!(ids("A=\"abc\nB=2\n"), vec![("unterminated-quote", 1, 3)]);
    assert_eq!(ids("A=ab\"c\n"), vec![("stray-quote", 1, 5)]);
    assert_eq!(ids("A=a b\n"), vec![("unquoted-whitespace", 1, 4)]);
    assert_eq!(ids("A=${B\n"), vec![("bad-substitution", 1, 3)]);
    assert_eq!(ids("A=x$B}\n"), vec![("bad-substitution", 1, 4)]);
    assert_eq!(ids("A=1"), vec![("missing-final-newline", 1, 4)]);
    assert_eq!(ids("A=1\n\n\nB=2\n"), vec![("extra-blank-line", 3, 1)]);
    assert_eq!(ids("export A=1\n"), vec![("export-prefix", 1, 1)]);
    assert_eq!(ids("\u{feff}A=1\n"), vec![("bom", 1, 1)]);
    assert_eq!(ids("A=1\r\n"), vec![("crlf", 1, 4)]);
    assert_eq!(ids("A\n"), vec![("key-without-value", 1, 1)]);
    assert_eq!(ids("A=1\0\n"), vec![("nul-byte", 1, 4)]);
}

#[test]
fn invalid_utf8_is_a_problem_with_position() {
    let p = parse(b"A=1\nB=\xff\xfe\n");
    assert_eq!(p.problems[0].id, "invalid-utf8");
    assert_eq!((p.problems[0].line, p.problems[0].column), (2, 3));
    assert!(p.get("B").is_some());
}

#[test]
fn inline_off_comments() {
    let p = parse(b"# launchgate:off lowercase-key\nfoo=1\n# launchgate:on lowercase-key\nbar=1\nbaz=1 # launchgate:off env.lowercase-key\n");
    assert!(p.suppressions.is_off("env.lowercase-key", 2));
    assert!(!p.suppressions.is_off("lowercase-key", 4));
    assert!(p.suppressions.is_off("lowercase-key", 5));
    assert!(!p.suppressions.is_off("duplicate-key", 2));
}

#[test]
fn many_unterminated_quotes_stay_linear() {
    let src = "A=\"x\n".repeat(20_000);
    let p = parse(src.as_bytes());
    assert_eq!(
        p.problems.iter().filter(|p| p.id == "unterminated-quote").count(),
        20_000
    );
}

/// Thousands of bad substitutions in one value: each problem's column is counted from the
/// previous one, so the characters counted stay proportional to the line.
#[test]
fn columns_of_many_problems_in_one_line_are_counted_once() {
    for quoted in [false, true] {
        let bad = "é${!".repeat(20_000);
        let src = if quoted {
            format!("A=\"{bad}\"\n")
        } else {
            format!("A={bad}\n")
        };
        let before = crate::columns::work::counted();
        let p = parse(src.as_bytes());
        let counted = crate::columns::work::counted() - before;
        let subs: Vec<_> = p.problems.iter().filter(|p| p.id == "bad-substitution").collect();
        assert_eq!(subs.len(), 20_000);
        let first = 3 + u32::from(quoted) + 1;
        assert_eq!((subs[0].column, subs[19_999].column), (first, first + 4 * 19_999));
        assert!(
            counted <= 2 * src.len(),
            "counted {counted} bytes for a {}-byte line",
            src.len()
        );
    }
}
