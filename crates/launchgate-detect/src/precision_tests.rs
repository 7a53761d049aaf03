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

#[test]
fn public_and_publishable_keys_are_never_errors() {
    let silent = [
        (
            "web.env",
            "STRIPE_PUBLISHABLE_KEY=pk_live_51NbQk2LzVt8RwYpX3mHc7JdKeQ4sT9vB2nW6yA1c\n",
        ),
        (
            "web.env",
            "NEXT_PUBLIC_STRIPE_KEY=pk_test_51NbQk2LzVt8RwYpX3mHc7JdKeQ4sT9vB2nW6yA1c\n",
        ),
        (
            "checkout.js",
            "const stripe = Stripe('pk_live_51NbQk2LzVt8RwYpX3mHc7JdKeQ4sT9vB2nW6yA1c');\n",
        ),
        (
            "app.yml",
            "clerk:\n  token: pk_live_Y2xlcmsuYWNtZS1zaG9wLmRldiQ\n",
        ),
        (
            "map.env",
            "MAPBOX_ACCESS_TOKEN=pk.eyJ1IjoiYWNtZSIsImEiOiJjbGs5d3kxaHA2In0.Zq8xL3vR7nB2cK9wY1hP6s\n",
        ),
        (
            "site.ts",
            "const analyticsToken = \"phc_Jq7vN2xW9kLp4Rt8Yz3Hb6DmXa9Qe5Lr2Tn8Wp3\";\n",
        ),
        (
            "key.pem",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END PUBLIC KEY-----\n",
        ),
        (
            "authorized_keys",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJq7vN2xW9kLp4Rt8Yz3Hb6DmXa9Qe5Lr2Tn8Wp3Zq8x ops@bastion\n",
        ),
        (
            "id_rsa.pub",
            "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7vbqajDhA9Lq3fP2xR8mK4nW6yT1cE5gJ8kM0bV3zH7sQ9uI2oP5aS6dK8lF1gY3eR7uA4cZ6dF0hJ2gY8eR4uI7oP1aS3dK5lQ9w deploy@ci\n",
        ),
    ];
    for (path, text) in silent {
        assert_eq!(found(path, text), Vec::new(), "{path}: {text}");
    }
    // Google browser keys (Firebase configurations, Maps script tags) are shipped to every
    // visitor but can be abused when unrestricted: a warning, never an error.
    for (path, text) in [
        (
            "firebase.js",
            "const firebaseConfig = {\n  apiKey: \"AIzaSyC7vbqajDhA9Lq3fP2xR8mK4nW6yT1cE5g\",\n};\n",
        ),
        (
            "maps.html",
            "<script src=\"https://maps.googleapis.com/maps/api/js?key=AIzaSyBq7vN2xW9kLp4Rt8Yz3Hb6DmXa9Qe5Lr2\"></script>\n",
        ),
    ] {
        let matches = default_engine().scan_bytes(path, text.as_bytes());
        assert_eq!(matches.len(), 1, "{path}");
        assert_eq!(matches[0].rule_id, "gcp.api-key");
        assert_eq!(matches[0].severity, launchgate_core::Severity::Warning);
    }
    for rule in default_engine().rules() {
        let id = &rule.spec.id;
        if id.contains("publishable") || id.contains("public-key") || id.contains("browser-key") {
            assert_ne!(rule.spec.severity, launchgate_core::Severity::Error, "{id}");
        }
    }
}

#[test]
fn a_publishable_prefix_under_a_secret_named_key_is_still_found() {
    let value = "pk_test_M2QW8RZK4TNX7VBL3HYD9CJF5GPA";
    assert_eq!(
        found("notify.env", &format!("NOTIFY_SECRET={value}\n")),
        vec![("generic.secret-assignment".to_string(), value.to_string())]
    );
}

#[test]
fn a_secret_key_is_found_beside_its_publishable_key() {
    let text = "STRIPE_PUBLISHABLE_KEY=pk_live_51NbQk2LzVt8RwYpX3mHc7JdKeQ4sT9vB2nW6yA1c\n\
                STRIPE_SECRET_KEY=sk_live_51NbQk2LzVt8RwYpX3mHc7JdKeQ4sT9vB2nW6yA1c\n";
    let matches = found("billing.env", text);
    assert_eq!(matches.len(), 1, "{matches:?}");
    assert_eq!(matches[0].0, "stripe.secret-key");
}

/// Rule negative examples that another specific rule finds, and why that is right: the
/// negative example is that other rule's credential (an admin key is not an API key).
const NEGATIVES_THAT_ARE_OTHER_CREDENTIALS: &[(&str, &str)] = &[
    ("anthropic.api-key", "anthropic.admin-key"),
    ("aws.access-key-pair", "aws.access-key-id"),
    ("contentful.delivery-token", "contentful.management-token"),
    ("sentry.legacy-auth-token", "sentry.user-auth-token"),
    // A Paystack-shaped `sk_live_` key under a name that is not Paystack's: only the
    // prefix speaks, and Stripe's prefix is the same.
    ("paystack.secret-key", "stripe.secret-key"),
];

#[test]
fn rule_negative_examples_are_found_only_as_other_credentials() {
    let engine = default_engine();
    let mut unexpected = Vec::new();
    let mut by_generic = 0;
    for rule in engine.rules() {
        for negative in &rule.spec.negative_examples {
            for m in engine.scan_bytes("", negative.as_bytes()) {
                if m.rule_id.starts_with("generic.") {
                    // A credential-shaped value under a credential-named key that is not
                    // this provider's (`OTHER_API_KEY=…`, a key of the wrong length): a
                    // generic finding is the right answer.
                    by_generic += 1;
                } else if !NEGATIVES_THAT_ARE_OTHER_CREDENTIALS
                    .contains(&(rule.spec.id.as_str(), m.rule_id.as_str()))
                {
                    unexpected.push(format!("{}: {negative:?} found by {}", rule.spec.id, m.rule_id));
                }
            }
        }
    }
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    println!("rule negative examples found by a generic rule: {by_generic}");
}

#[test]
fn a_provider_named_key_is_reported_as_that_provider() {
    // Paystack and Stripe share the `sk_live_` prefix; the provider's name decides.
    let text = "PAYSTACK_SECRET_KEY=sk_live_38444ecfc4c56ccd5f4aefab124b8c5dff82a724\n";
    assert_eq!(
        found("billing.env", text),
        vec![(
            "paystack.secret-key".to_string(),
            "sk_live_38444ecfc4c56ccd5f4aefab124b8c5dff82a724".to_string()
        )]
    );
}

#[test]
fn a_rule_that_read_the_key_names_a_shared_token_shape() {
    // Contentful's delivery and preview tokens share one shape; the key says which.
    let token = "ldd1a_W4dOG2imgP8tSjwooibfU5laq7-HcI17zG2wx";
    assert_eq!(
        found("site.env", &format!("CONTENTFUL_PREVIEW_TOKEN={token}\n")),
        vec![("contentful.preview-token".to_string(), token.to_string())]
    );
}

#[test]
fn a_uuid_under_a_key_that_names_what_it_identifies_is_an_id_for_every_rule() {
    let id = "4f8e2c1a-9b3d-4e7f-a6c2-1d5e8f3b7a90";
    for (path, text) in [
        ("app.env", format!("HEROKU_APP_ID={id}\n")),
        ("ci.yml", format!("heroku:\n  pipeline_id: {id}\n")),
        ("ci.env", format!("SNYK_ORG_ID={id}\n")),
        ("snyk.json", format!("{{\"snykOrg\": \"{id}\"}}\n")),
        ("deploy.sh", format!("export RAILWAY_PROJECT_ID=\"{id}\"\n")),
        ("main.tf", format!("codecov_repo_uuid = \"{id}\"\n")),
    ] {
        assert_eq!(found(path, &text), Vec::new(), "{path}: {text}");
    }
    for (path, text, rule) in [
        ("app.env", format!("HEROKU_API_KEY={id}\n"), "heroku.api-key-uuid"),
        ("ci.env", format!("SNYK_TOKEN={id}\n"), "snyk.api-token"),
        (
            "approle.env",
            format!("VAULT_SECRET_ID={id}\n"),
            "vault.approle-secret-id",
        ),
    ] {
        assert_eq!(
            found(path, &text),
            vec![(rule.to_string(), id.to_string())],
            "{path}: {text}"
        );
    }
}

#[test]
fn a_hex_value_under_a_key_that_names_an_id_or_a_hash_is_not_a_provider_token() {
    let hex32 = "7c1e3a5d2b4f4a6c8e0d9f1b3d5a7c2e";
    for (path, text) in [
        ("app.env", format!("TWILIO_ACCOUNT_ID={hex32}\n")),
        ("app.env", format!("ROLLBAR_PROJECT_ID={hex32}\n")),
        ("search.yml", format!("typesense:\n  app_id: {hex32}\n")),
        ("release.env", format!("ZENDESK_COMMIT_SHA={HEX40}\n")),
    ] {
        assert_eq!(found(path, &text), Vec::new(), "{path}: {text}");
    }
    for (path, text, rule) in [
        (
            "app.env",
            format!("TWILIO_AUTH_TOKEN={hex32}\n"),
            "twilio.auth-token",
        ),
        (
            "app.env",
            format!("ROLLBAR_ACCESS_TOKEN={hex32}\n"),
            "rollbar.access-token",
        ),
        (
            "ci.env",
            "CODECLIMATE_REPORTER_ID=34c1c7d031dec93caee5e8ed9778ea7fa2b1711cc6c946961ba229d1017ff913\n"
                .to_string(),
            "codeclimate.reporter-id",
        ),
    ] {
        let matches = found(path, &text);
        assert_eq!(matches.len(), 1, "{path}: {text}");
        assert_eq!(matches[0].0, rule, "{path}: {text}");
    }
}
