//! Property tests on the stable toolchain: each parser's invariants on arbitrary bytes and on
//! inputs shaped like what it reads, a bounded number of cases each (the whole file runs in
//! a few seconds; with `PROPTEST_CASES` set, that many cases each).

use launchgate_fuzz_invariants as inv;
use proptest::prelude::*;
use proptest::string::string_regex;

mod support;
use support::config;

/// Text from a regex, as bytes.
fn shaped(pattern: &str) -> impl Strategy<Value = Vec<u8>> {
    string_regex(pattern)
        .expect("a valid pattern")
        .prop_map(String::into_bytes)
}

proptest! {
    #![proptest_config(config(2048))]

    /// About 200 inputs a target.
    #[test]
    fn any_bytes(target in 0..inv::TARGETS.len(), bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        (inv::TARGETS[target].1)(&bytes);
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn dotenv_shaped(bytes in shaped(r#"((export )?[A-Z_]{0,6}[ ]?=[ ]?("[^"\n]{0,12}"?|'[^'\n]{0,12}'?|[^\n#]{0,12})( #[^\n]{0,6})?\r?\n|# launchgate:off[^\n]{0,8}\n|\$\{[A-Z]{0,3}\}?\n){0,12}"#)) {
        inv::dotenv(&bytes);
    }

    #[test]
    fn env_schema_shaped(bytes in shaped(r#"((# ?(@(required|optional|sensitive|public|defaultRequired|defaultSensitive|currentEnv|example|docs|type|requried)(=([a-z$A-Z_]{0,6}|"[^"\n]{0,6}"?|(enum|string|url|forEnv|eq|port|number)\(([a-zA-Z$_]{0,5}(=[^,)\n]{0,4})?(, ?)?){0,3}\)?|\[[a-z, ]{0,8}\]?)|\([^)\n]{0,10}\)?)? ?){0,3}|---|[a-z ]{0,8})\n|[A-Z_]{1,6}=[^\n]{0,10}( # @[a-z]{0,8})?\n|\n){0,14}"#)) {
        inv::env_schema(&bytes);
    }

    #[test]
    fn spf_shaped(bytes in shaped(r"v=spf1( [-+~?]?(all|include:[a-z.]{0,10}|a(:[a-z.]{0,8})?(/[0-9]{1,3})?|mx|ip4:[0-9./]{0,18}|ip6:[0-9a-f:/]{0,20}|redirect=[a-z.]{0,8}|exp=[a-z%{}]{0,8}|ptr|exists:[a-z%{}.]{0,10})){0,12}")) {
        inv::spf(&bytes);
    }

    #[test]
    fn dmarc_and_dkim_shaped(bytes in shaped(r"(v=(DMARC1|DKIM1)|p=(none|quarantine|reject|[A-Za-z0-9+/=]{0,40})|rua=mailto:[a-z@.!]{0,16}|pct=[0-9]{0,4}|k=(rsa|ed25519)|t=[ys:]{0,3}|[a-z]{0,4}=[^;]{0,6})(;[ ]?(v=DMARC1|p=[a-z]{0,10}|sp=[a-z]{0,8}|adkim=[rs]|aspf=[rs]|[a-z]{0,4}=[^;]{0,6}|))*")) {
        inv::dmarc(&bytes);
        inv::dkim(&bytes);
    }

    #[test]
    fn mta_sts_shaped(bytes in shaped(r"((version: STSv1|mode: (enforce|testing|none)|mx: [*a-z.]{0,14}|max_age: [0-9]{0,9}|[a-z_]{0,8}:[^\n]{0,8})\r?\n){0,8}")) {
        inv::mta_sts(&bytes);
    }

    #[test]
    fn smtp_reply_shaped(bytes in shaped(r"([0-9]{3}[- ]?[A-Za-z0-9 .-]{0,20}\r?\n){0,12}[0-9]{0,3}")) {
        inv::smtp_reply(&bytes);
    }

    #[test]
    fn yaml_shaped(bytes in shaped(r"((secrets|env|budget|smoke|dns|base_url|checks|allow|[a-z]{1,5}):( [^\n]{0,12})?\n(  (- )?[a-z_]{1,8}:( [^\n]{0,10})?\n){0,3}){0,5}")) {
        inv::config_yaml(&bytes);
        inv::smoke_spec(&bytes);
    }

    #[test]
    fn key_shaped_lines(bytes in shaped(r#"([a-zA-Z_]{0,10}[ ]?[=:][ ]?["']?(sk_live_|ghp_|AKIA|xoxb-|glpat-|AIza|-----BEGIN [A-Z ]{0,8}PRIVATE KEY-----)?[A-Za-z0-9_\-+/=]{0,48}["']?( // launchgate:allow)?\r?\n?){0,10}"#)) {
        inv::secrets_scan(&bytes);
    }

    /// `git log -p --cc` output: commit headers, file headers, hunks with one or more parents'
    /// columns, added, removed and context lines, `\ No newline`, numbers up to u32's edge.
    #[test]
    fn range_patch_shaped(bytes in shaped(r"((\x01[0-9a-f]{0,8}\x00[a-z <@>]{0,8}\x00[0-9TZ:-]{0,6}\x00[0-9]{0,10}(\x00[0-9a-f]{0,4}( [0-9a-f]{0,4}){0,2})?|diff --(git|cc) [ab/a-z.]{0,12}|(---|\+\+\+) (b/|a/|/dev/null|\x22b/)[a-z\\.\x22\t ]{0,10}|@{2,4}( [-+][0-9]{0,10}(,[0-9]{0,3})?){0,3} @{2,4}[^\n]{0,6}|[-+ ]{1,3}[^\n]{0,16}|\\ No newline at end of file|@@ -0,0 \+429496729[0-5](,[0-9])? @@)\n){0,24}")) {
        inv::range_patch(&bytes);
    }
}
