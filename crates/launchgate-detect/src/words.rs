//! Identifiers as words: `discordToken`, `DiscordToken`, `discord.token`, `discord-token` and
//! `DISCORD_TOKEN` all read as `discord_token`, so one key pattern matches every naming
//! style the same way it matches snake case.

/// The words of an identifier, lowercase, joined by `_`. Words break at any character that is
/// not a letter or digit, where a lowercase letter or digit meets an uppercase one
/// (`apiKey`, `s3Key`), and before the last capital of a capital run followed by lowercase
/// (`APIKey` is `api_key`). Digits stay with the word before them (`oauth2_token`).
pub fn normalise(identifier: &str) -> String {
    let chars: Vec<char> = identifier.chars().collect();
    let mut out = String::with_capacity(identifier.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        if c.is_uppercase() && i > 0 && !out.is_empty() && !out.ends_with('_') {
            let before = chars[i - 1];
            let after_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if before.is_lowercase() || before.is_ascii_digit() || (before.is_uppercase() && after_lower) {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// Whether `word` (lowercase) is one of the words of a normalised identifier.
pub fn has_word(normalised: &str, word: &str) -> bool {
    normalised.split('_').any(|w| w == word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_naming_style_reads_as_snake_case() {
        let cases = [
            ("discordToken", "discord_token"),
            ("DiscordToken", "discord_token"),
            ("discord.token", "discord_token"),
            ("discord-token", "discord_token"),
            ("DISCORD_TOKEN", "discord_token"),
            ("client.secret", "client_secret"),
            ("api-key", "api_key"),
            ("x-api-key", "x_api_key"),
            ("APIKey", "api_key"),
            ("apiKEY", "api_key"),
            ("STRIPE_PRIVATE_TOKEN", "stripe_private_token"),
            ("twilioAuthToken", "twilio_auth_token"),
            ("oauth2Token", "oauth2_token"),
            ("s3Key", "s3_key"),
            ("--db-password", "db_password"),
            ("$password", "password"),
            ("spring.datasource.password", "spring_datasource_password"),
            ("__SECRET__", "secret"),
            ("HTTPServerSecret", "http_server_secret"),
        ];
        for (identifier, expected) in cases {
            assert_eq!(normalise(identifier), expected, "{identifier}");
        }
    }

    #[test]
    fn words_are_whole_words() {
        let key = normalise("tokenizerPath");
        assert_eq!(key, "tokenizer_path");
        assert!(!has_word(&key, "token"));
        assert!(has_word(&normalise("api.box.com"), "box"));
        assert!(!has_word(&normalise("checkbox"), "box"));
    }
}
