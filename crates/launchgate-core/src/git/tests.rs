use super::*;

fn init(dir: &Path) {
    let out = Command::new("git")
        .args(["init", "-q"])
        .arg(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
}

#[test]
fn patch_labels_are_unquoted_and_lose_the_tab_git_adds_after_spaces() {
    assert_eq!(patch_label_path(b"b/plain.rs"), b"b/plain.rs");
    assert_eq!(patch_label_path(b"b/a name.txt\t"), b"b/a name.txt");
    assert_eq!(patch_label_path(b"\"b/tab\\there\""), b"b/tab\there");
    assert_eq!(
        patch_label_path(b"\"b/na\\303\\257ve x\"\t"),
        "b/naïve x".as_bytes()
    );
    assert_eq!(patch_label_path(b"b/caf\xe9.ini"), b"b/caf\xe9.ini");
    assert_eq!(path_text(b"caf\xe9.ini"), "caf\u{fffd}.ini");
}

#[test]
fn standard_error_is_kept_up_to_its_limit_and_read_to_the_end() {
    let big = vec![b'x'; STDERR_LIMIT * 3];
    let kept = read_bounded(&big[..]);
    assert_eq!(kept.len(), STDERR_LIMIT);
}

#[test]
fn a_failed_command_names_itself_what_it_read_and_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path());
    let err = Git::new(tmp.path())
        .cmd("the base commit", ["rev-parse", "--verify", "no-such-ref"])
        .help("fetch the base branch")
        .output()
        .unwrap_err();
    assert!(err.message().contains("the base commit"), "{}", err.message());
    assert!(
        err.message().contains("`git rev-parse --verify no-such-ref`"),
        "{}",
        err.message()
    );
    assert!(err.message().contains("fatal"), "{}", err.message());
    assert_eq!(err.hint(), Some("fetch the base branch"));
}

#[test]
fn input_and_output_stream_together_without_blocking() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path());
    // More than a pipe holds in both directions.
    let input: Vec<u8> = (0..20_000)
        .flat_map(|i| format!("{i:040x}\n").into_bytes())
        .collect();
    let lines = Git::new(tmp.path())
        .cmd("objects", ["cat-file", "--batch-check"])
        .stream_with_input(Some(input), |out| Ok(out.lines().count()))
        .unwrap();
    assert_eq!(lines, 20_000);
}

#[test]
fn user_settings_do_not_change_diffs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    init(dir);
    std::fs::write(dir.join(".gitattributes"), "*.bin -diff\n").unwrap();
    std::fs::write(dir.join("a.bin"), "line\n").unwrap();
    let add = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["add", "-A"])
        .status()
        .unwrap();
    assert!(add.success());
    let config = dir.join(".git/config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(
        "[diff]\n\tnoprefix = true\n\texternal = false\n\tmnemonicPrefix = true\n[color]\n\tui = always\n",
    );
    std::fs::write(&config, text).unwrap();
    let patch = Git::new(dir)
        .cmd("the staged patch", ["diff", "--cached"])
        .diff_flags()
        .output()
        .unwrap();
    let patch = String::from_utf8(patch).unwrap();
    assert!(patch.contains("+++ b/a.bin\n"), "{patch}");
    assert!(patch.contains("\n+line\n"), "{patch}");
}

#[test]
fn a_flood_on_standard_error_neither_blocks_a_stream_nor_fills_memory() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path());
    // One "did not match" line per pathspec: far more than a pipe holds.
    let missing: Vec<String> = (0..6000).map(|i| format!("missing-file-{i:05}.txt")).collect();
    let err = Git::new(tmp.path())
        .cmd("the tracked files", ["ls-files", "--error-unmatch", "--"])
        .args(&missing)
        .stream(|out| {
            let mut all = Vec::new();
            out.read_to_end(&mut all)
                .map_err(|e| Error::input(e.to_string()))?;
            Ok(all)
        })
        .unwrap_err();
    assert!(err.message().contains("did not match"), "{}", err.message());
    assert!(err.message().len() < 2_000, "only the first lines are quoted");
}
