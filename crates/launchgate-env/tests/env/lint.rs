use crate::{bin, positions, run_json, write};

fn lint_one(contents: &[u8]) -> Vec<(String, String, u64, u64)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), contents).unwrap();
    let (_, findings) = run_json(bin(dir.path()).args(["lint", ".env"]));
    positions(&findings)
}

fn one(rule: &str, line: u64, column: u64) -> Vec<(String, String, u64, u64)> {
    vec![(format!("env.{rule}"), ".env".to_string(), line, column)]
}

#[test]
fn each_syntax_check_on_a_real_file() {
    let cases: [(&[u8], &str, u64, u64); 16] = [
        (b"A=1\nB=2\nA=3\n", "duplicate-key", 3, 1),
        (b"FOO.BAR=1\n", "invalid-key", 1, 4),
        (b"1A=1\n", "invalid-key", 1, 1),
        (b"db_url=x\n", "lowercase-key", 1, 1),
        (b"A =1\n", "space-around-equals", 1, 2),
        (b"A=\"open\nB=2\n", "unterminated-quote", 1, 3),
        (b"A=it's\n", "stray-quote", 1, 5),
        (b"A=two words\n", "unquoted-whitespace", 1, 6),
        (b"A=${HOME\n", "bad-substitution", 1, 3),
        (b"A=1", "missing-final-newline", 1, 4),
        (b"A=1\n\n\nB=1\n", "extra-blank-line", 3, 1),
        (b"export A=1\n", "export-prefix", 1, 1),
        (b"\xEF\xBB\xBFA=1\n", "bom", 1, 1),
        (b"A=1\r\n", "crlf", 1, 4),
        (b"A=1  \n", "trailing-whitespace", 1, 4),
        (b"  A=1\n", "leading-whitespace", 1, 1),
    ];
    for (contents, rule, line, column) in cases {
        assert_eq!(
            lint_one(contents),
            one(rule, line, column),
            "{}",
            String::from_utf8_lossy(contents)
        );
    }
}

#[test]
fn exit_codes_follow_severity() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", "A=1\n");
    bin(dir.path()).args(["lint", ".env"]).assert().code(0);
    write(dir.path(), ".env", "A=1  \n");
    bin(dir.path()).args(["lint", ".env"]).assert().code(0);
    bin(dir.path())
        .args(["lint", ".env", "--fail-on", "warning"])
        .assert()
        .code(1);
    write(dir.path(), ".env", "A=1\nA=2\n");
    bin(dir.path())
        .args(["lint", ".env"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("env.duplicate-key"));
}

#[test]
fn inline_and_config_switches() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".env",
        "# launchgate:off lowercase-key\nfoo=1\n# launchgate:on lowercase-key\nbar=1\nA=two words # launchgate:off unquoted-whitespace\n",
    );
    let (_, findings) = run_json(bin(dir.path()).args(["lint", ".env"]));
    assert_eq!(
        positions(&findings),
        vec![("env.lowercase-key".into(), ".env".into(), 4, 1)]
    );
    let (_, findings) = run_json(bin(dir.path()).args(["lint", ".env", "--disable", "lowercase-key"]));
    assert!(findings.is_empty(), "{findings:?}");
    write(
        dir.path(),
        "launchgate.yml",
        "env:\n  lint:\n    disable: [env.lowercase-key]\n",
    );
    let (_, findings) = run_json(bin(dir.path()).args(["lint", ".env"]));
    assert!(findings.is_empty(), "{findings:?}");
    write(
        dir.path(),
        "launchgate.yml",
        "env:\n  lint:\n    disable: [lowercse-key]\n",
    );
    bin(dir.path())
        .args(["lint", ".env"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("did you mean `lowercase-key`?"));
}

#[test]
fn fix_round_trips_and_keeps_values() {
    let dir = tempfile::tempdir().unwrap();
    let original = "\u{feff}# app\r\n  PORT = 3000  \r\n\r\n\r\n\r\nGREETING=hello world # shown\r\nKEY=\"multi\nline\"\nQUOTED='a b'\nexport PATHS=$HOME/bin\nLAST=1";
    write(dir.path(), ".env.local", original);
    bin(dir.path())
        .args(["lint", ".env.local", "--fix", "--disable", "export-prefix"])
        .assert()
        .code(0);
    let fixed = std::fs::read_to_string(dir.path().join(".env.local")).unwrap();
    assert_eq!(
        fixed,
        "# app\nPORT=3000\n\nGREETING='hello world' # shown\nKEY=\"multi\nline\"\nQUOTED='a b'\nexport PATHS=$HOME/bin\nLAST=1\n"
    );
    let before = launchgate_env::dotenv::parse(original.as_bytes());
    let after = launchgate_env::dotenv::parse(fixed.as_bytes());
    let kv = |p: &launchgate_env::dotenv::Parsed| {
        p.entries
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(kv(&before), kv(&after));
    // A second run has nothing left to fix and reports nothing.
    let (code, findings) =
        run_json(bin(dir.path()).args(["lint", ".env.local", "--fix", "--disable", "export-prefix"]));
    assert_eq!((code, findings.len()), (0, 0), "{findings:?}");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
}

#[test]
fn default_files_are_the_repositorys_env_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", "A=1\n");
    write(dir.path(), "apps/web/.env.local", "b=1\n");
    write(dir.path(), "node_modules/pkg/.env", "c=1\n");
    write(dir.path(), ".envrc", "d=1\n");
    let (_, findings) = run_json(bin(dir.path()).arg("lint"));
    assert_eq!(
        positions(&findings),
        vec![("env.lowercase-key".into(), "apps/web/.env.local".into(), 1, 1)]
    );
}
