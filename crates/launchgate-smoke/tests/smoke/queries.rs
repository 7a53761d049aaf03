//! JSON pointers and JSONPath queries, and headers sent more than once, against a real
//! server: a key that is neither is a spec error at its line, a repeated header is judged
//! by every value it was sent with.

use crate::app::{Site, findings, json_report, run};

#[test]
fn jsonpath_queries_with_count_comparisons_and_types_pass() {
    let site = Site::start();
    let (code, report) = json_report(&mut site.cmd(
        r#"
base_url: https://example.test:{https}
checks:
  - name: items
    get: /api/items
    expect:
      json:
        "$.items": { count: { gte: 1 } }
        "$.items[*]": { count: 2 }
        "$.user.email": { matches: "@" }
        "$.plan": { type: string }
        "$.items[*].id": { type: integer, values: all, gt: 0 }
        "$.items[?@.name == 'beta'].price": 0
        "$.items[0].name": alpha
        "$.missing": { exists: false }
        "$..nothing": { exists: false }
        "$.empty": { count: 0 }
        /items/1/id: 2
      headers:
        Vary: Origin
        Set-Cookie: { contains: Secure }
        Link: { count: 1, matches: "rel=preload" }
        X-Never: { count: 0 }
"#,
    ));
    assert_eq!(findings(&report), vec![], "{report:#}");
    assert_eq!(code, 0);
}

#[test]
fn a_jsonpath_capture_feeds_the_next_step() {
    let site = Site::start();
    let (code, report) = json_report(&mut site.cmd(
        r#"
base_url: https://example.test:{https}
checks:
  - name: capture
    steps:
      - { get: /api/items, capture: { name: "json:$.items[?@.id == 2].name" } }
      - { get: /api/echo, query: { n: "${name}" }, expect: { json: { "$.query": "n=beta" } } }
  - name: ambiguous
    steps:
      - { get: /api/items, capture: { name: "json:$.items[*].name" } }
"#,
    ));
    assert_eq!(code, 1);
    let f = findings(&report);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        f[0].2,
        "ambiguous: cannot capture json:$.items[*].name: it selects 2 values; a capture takes one"
    );
}

#[test]
fn unmet_json_and_header_expectations_say_which_values_failed() {
    let site = Site::start();
    let (code, report) = json_report(&mut site.cmd(
        r#"
base_url: https://example.test:{https}
checks:
  - name: items
    get: /api/items
    expect:
      json:
        "$.items": { exists: false }
        "$.items[*].price": { gt: 0, values: all }
        "$.items[*].name": { equals: gamma }
        "$.plan": { type: array }
        "$.user": { count: { gte: 5 } }
        "$.missing": { matches: x }
      headers:
        Set-Cookie: { contains: Secure, values: all }
        Vary: { equals: Cookie }
        Link: { count: 2 }
"#,
    ));
    assert_eq!(code, 1);
    let message = &findings(&report)[0].2;
    let expected = [
        "expected JSON $.items to be absent, got [{\"id\":1,",
        "expected JSON $.items[*].price > 0 in every one of its 2 values; 1 of them fail: 0",
        "expected JSON $.items[*].name = \"gamma\" in one of its 2 values, got \"alpha\", \"beta\"",
        "expected JSON $.plan to be of type array, got \"pro\"",
        "expected JSON $.user to count >= 5, got 1",
        "expected JSON $.missing to match /x/, but it is absent",
        "expected header `Set-Cookie` to contain `Secure` in every one of its 2 values; 1 of them fail: `b=2; Path=/`",
        "expected header `Vary: Cookie` in one of its 2 values, got `Accept-Encoding`, `Origin`",
        "expected the `Link` header to be sent 2 times, it was sent once",
    ];
    for part in expected {
        assert!(message.contains(part), "missing `{part}` in {message}");
    }
}

#[test]
fn a_key_that_is_not_a_pointer_or_jsonpath_is_a_spec_error_at_its_line() {
    let site = Site::start();
    for (key, wanted) in [
        ("items", "`items` is neither a JSON pointer nor a JSONPath query"),
        (
            "\"$.items[\"",
            "`$.items[` is not a valid JSONPath query (RFC 9535)",
        ),
    ] {
        let yaml = format!(
            "base_url: https://example.test:{{https}}\nchecks:\n  - get: /api/items\n    expect:\n      json:\n        {key}: {{ exists: false }}\n"
        );
        let mut cmd = site.cmd(&yaml);
        let (code, stdout, stderr) = run(&mut cmd);
        assert_eq!(code, 2, "{stdout}{stderr}");
        assert!(stderr.contains(wanted), "{stderr}");
        assert!(stderr.contains("smoke.yml:6:"), "{stderr}");
    }
    let mut cmd = site.cmd(
        "base_url: https://example.test:{https}\nchecks:\n  - get: /api/items\n    expect:\n      headers:\n        Vary: { equals: x, values: some }\n",
    );
    let (code, _, stderr) = run(&mut cmd);
    assert_eq!(code, 2);
    assert!(stderr.contains("`values: some`: write `values: any`"), "{stderr}");
    assert!(stderr.contains("smoke.yml:6:"), "{stderr}");
}
