//! Non-secrets the built-in rules must leave alone, and the credentials beside them they must
//! still find: each test pairs a class of false positive with the secrets of the same shape.

use crate::default_engine;

fn found(path: &str, text: &str) -> Vec<(String, String)> {
    default_engine()
        .scan_bytes(path, text.as_bytes())
        .into_iter()
        .map(|m| (m.rule_id, m.secret.expose().to_string()))
        .collect()
}

const RANDOM: &str = "Jq7vN2xW9kLp4Rt8Yz3Hb6Dm";
const HEX40: &str = "b7e21c94d0a35f68e1c2b9d4a07f3e65c81d2a9f";

#[test]
fn keys_that_name_ids_hashes_places_and_public_values_keep_generic_rules_silent() {
    for (path, text) in [
        ("Dockerfile", format!("ENV NEXT_PAGE_TOKEN={RANDOM}\n")),
        ("Dockerfile", format!("ARG AUTH_TOKEN_REV={HEX40}\n")),
        (
            "Dockerfile",
            "ENV SECRET_NAME=shop-prod-db-credentials-2024\n".to_string(),
        ),
        (
            "Dockerfile",
            "ENV TOKEN_URL=https://auth.shop.invalid/oauth/token\n".to_string(),
        ),
        ("web.env", format!("NEXT_PUBLIC_ANALYTICS_TOKEN={RANDOM}\n")),
        (
            "embed.ts",
            format!("export const publicApiKey: string = \"{RANDOM}\";\n"),
        ),
        ("widget.js", format!("const publicToken = \"{RANDOM}\";\n")),
        ("Makefile", format!("DEPLOY_TOKEN_SHA := {HEX40}\n")),
        ("config.php", format!("<?php\n$tokenHash = '{HEX40}';\n")),
    ] {
        assert_eq!(found(path, &text), Vec::new(), "{path}: {text}");
    }
}

#[test]
fn the_same_credential_words_still_find_secrets() {
    for (path, text, rule) in [
        (
            "Dockerfile",
            format!("ENV DEPLOY_TOKEN={RANDOM}\n"),
            "generic.dockerfile-env-secret",
        ),
        (
            "client.js",
            format!("const privateToken = \"{RANDOM}\";\n"),
            "generic.token-assignment",
        ),
        (
            "api.env",
            format!("WEBHOOK_SIGNING_SECRET={HEX40}\n"),
            "generic.secret-assignment",
        ),
        (
            "embed.ts",
            format!("export const adminApiKey: string = \"{RANDOM}\";\n"),
            "generic.api-key-assignment",
        ),
    ] {
        let secret = if text.contains(HEX40) { HEX40 } else { RANDOM };
        assert_eq!(
            found(path, &text),
            vec![(rule.to_string(), secret.to_string())],
            "{path}: {text}"
        );
    }
}
