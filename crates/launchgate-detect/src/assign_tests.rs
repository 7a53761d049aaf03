use super::*;
use crate::words::normalise;

/// The first assignment whose key holds `word` (ASCII case-insensitive): its key in snake
/// case and its value.
fn assigned(text: &str, word: &str) -> Option<(String, String)> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find(&word.to_ascii_lowercase())?;
    let key = key_around(text.as_bytes(), at..at + word.len())?;
    let a = parse(text.as_bytes(), key)?;
    Some((normalise(&text[a.key.clone()]), text[a.value].to_string()))
}

fn value(text: &str, word: &str) -> Option<String> {
    assigned(text, word).map(|(_, v)| v)
}

const V: &str = "q8Zt3LmW9xRv2KpN";

#[test]
fn every_syntax_assigns_the_same_value() {
    let cases: &[(&str, String)] = &[
        ("shell/.env", format!("DB_PASSWORD={V}")),
        ("shell quoted", format!("DB_PASSWORD=\"{V}\"")),
        ("export", format!("export DB_PASSWORD='{V}'")),
        ("yaml block", format!("database:\n  password: {V}\n")),
        ("yaml quoted", format!("  password: \"{V}\"")),
        ("yaml flow", format!("db: {{user: app, password: {V}}}")),
        ("json", format!("{{\"user\": \"app\", \"password\": \"{V}\"}}")),
        ("json compact", format!("{{\"password\":\"{V}\"}}")),
        ("toml", format!("password = \"{V}\"")),
        ("ini", format!("password = {V}")),
        ("java properties", format!("spring.datasource.password={V}")),
        ("properties colon", format!("spring.datasource.password: {V}")),
        ("xml element", format!("<password>{V}</password>")),
        ("xml attribute", format!("<db user=\"app\" password=\"{V}\"/>")),
        (
            "xml appSettings",
            format!("<add key=\"DbPassword\" value=\"{V}\" />"),
        ),
        (
            "spring bean property",
            format!("<property name=\"password\" value=\"{V}\"/>"),
        ),
        (
            "properties xml entry",
            format!("<entry key=\"db.password\">{V}</entry>"),
        ),
        ("hcl", format!("  password = \"{V}\"")),
        (
            "kubernetes env",
            format!("      env:\n        - name: DB_PASSWORD\n          value: \"{V}\"\n"),
        ),
        (
            "ecs task definition",
            format!("{{\"environment\": [{{\"name\": \"DB_PASSWORD\", \"value\": \"{V}\"}}]}}"),
        ),
        (
            "cloudformation parameter",
            format!("[{{\"ParameterKey\": \"DbPassword\",\n  \"ParameterValue\": \"{V}\"}}]"),
        ),
        (
            "terraform variable",
            format!("variable \"db_password\" {{\n  type    = string\n  default = \"{V}\"\n}}\n"),
        ),
        (
            "json in a string",
            format!("String body = \"{{\\\"password\\\":\\\"{V}\\\"}}\";"),
        ),
        ("go", format!("\tpassword := \"{V}\"")),
        ("go var", format!("var password string = \"{V}\"")),
        ("go struct", format!("\tPassword: \"{V}\",")),
        ("java", format!("private static final String PASSWORD = \"{V}\";")),
        ("kotlin", format!("val password: String = \"{V}\"")),
        ("python", format!("PASSWORD = '{V}'")),
        ("python kwarg", format!("connect(host=h, password=\"{V}\")")),
        ("python annotation", format!("password: str = \"{V}\"")),
        ("python bytes", format!("password = b'{V}'")),
        ("javascript", format!("const password = `{V}`;")),
        ("typescript", format!("const password: string = '{V}';")),
        ("js object", format!("{{ password: '{V}' }}")),
        ("php variable", format!("$password = '{V}';")),
        ("php array", format!("'password' => '{V}',")),
        ("php define", format!("define('DB_PASSWORD', '{V}');")),
        ("ruby hash", format!(":password => \"{V}\"")),
        ("ruby keyword", format!("password: \"{V}\"")),
        ("ruby or-assign", format!("@password ||= \"{V}\"")),
        ("c#", format!("public const string Password = \"{V}\";")),
        ("c# verbatim", format!("var password = @\"{V}\";")),
        ("java setter", format!("ds.setPassword(\"{V}\");")),
        ("builder", format!(".password(\"{V}\")")),
        ("put", format!("props.put(\"password\", \"{V}\");")),
        ("ruby index", format!("ENV['DB_PASSWORD'] = '{V}'")),
        ("python index", format!("os.environ[\"DB_PASSWORD\"] = \"{V}\"")),
        ("php index", format!("$cfg['db']['password'] = '{V}';")),
        ("makefile", format!("PASSWORD := {V}")),
        ("makefile ?=", format!("PASSWORD ?= {V}")),
        ("makefile ::=", format!("PASSWORD ::= \"{V}\"")),
        ("makefile :::=", format!("PASSWORD :::= \"{V}\"")),
        ("php append", format!("$password .= \"{V}\";")),
        ("php null coalescing", format!("$password ??= '{V}';")),
        (
            "xml element on its own line",
            format!("<password>\n    {V}\n</password>"),
        ),
        (
            "config embedded in a JSON string",
            format!("{{\"app.ini\": \"PASSWORD={V}\\nDEBUG=false\"}}"),
        ),
        ("dockerfile env", format!("ENV DB_PASSWORD={V}")),
        ("dockerfile env spaced", format!("ENV DB_PASSWORD {V}")),
        ("dockerfile arg", format!("ARG DB_PASSWORD={V}")),
        ("logstash", format!("    password => \"{V}\"")),
        (
            "netrc",
            format!("machine api.shop.invalid\n  login app\n  password {V}\n"),
        ),
        (
            "gradle credentials",
            format!("credentials {{\n  username 'app'\n  password '{V}'\n}}"),
        ),
        ("config directive", format!("password {V};")),
        (
            "directive with a comment",
            format!("password {V} # rotated monthly"),
        ),
        ("named directive", format!("shop password {V}")),
        ("command line =", format!("mysqldump --password={V} shop")),
        ("command line spaced", format!("psql --password {V} -h db")),
        (
            "url query",
            format!("https://api.shop.invalid/v1?user=app&password={V}&x=1"),
        ),
    ];
    for (syntax, text) in cases {
        assert_eq!(value(text, "password").as_deref(), Some(V), "{syntax}: {text}");
    }
}

#[test]
fn keys_keep_their_words_in_every_naming_style() {
    let cases = [
        (format!("discordToken = \"{V}\""), "token", "discord_token"),
        (format!("client.secret: {V}"), "secret", "client_secret"),
        (format!("api-key: {V}"), "key", "api_key"),
        (
            format!("STRIPE_PRIVATE_TOKEN={V}"),
            "token",
            "stripe_private_token",
        ),
        (
            format!("\"twilioAuthToken\": \"{V}\""),
            "token",
            "twilio_auth_token",
        ),
        (format!("--db-password={V}"), "password", "db_password"),
        (format!("java -Dsonar.login={V} -jar"), "login", "sonar_login"),
        (format!("DEBUG_PASSWORD={V}"), "password", "debug_password"),
    ];
    for (text, word, key) in cases {
        assert_eq!(
            assigned(&text, word),
            Some((key.to_string(), V.to_string())),
            "{text}"
        );
    }
}

#[test]
fn keys_written_as_words_are_read_as_phrases() {
    let phrase = |text: &str, word: &str| {
        let at = text.find(word)?;
        let key = key_around(text.as_bytes(), at..at + word.len())?;
        let a = parse(text.as_bytes(), key)?;
        let key = phrase_key(text.as_bytes(), a.key.clone()).unwrap_or(a.key);
        Some((normalise(&text[key]), text[a.value].to_string()))
    };
    for (text, word, key) in [
        (format!("Fastly token: {V}"), "token", "fastly_token"),
        (format!("  Shop API key = {V}"), "key", "shop_api_key"),
        (format!("knapsackpro key={V}"), "key", "knapsackpro_key"),
        // A directive of up to three words before its key.
        (
            format!("bugherd access token {V}"),
            "token",
            "bugherd_access_token",
        ),
    ] {
        assert_eq!(
            phrase(&text, word),
            Some((key.to_string(), V.to_string())),
            "{text}"
        );
    }
    // Declarations and sentences are no keys, and more than three words are prose.
    for (text, word) in [
        (format!("export TOKEN={V}"), "TOKEN"),
        (format!("String key = \"{V}\";"), "key"),
        (format!("the key = {V}"), "key"),
        (format!("one two three four token: {V}"), "token"),
        (format!("x = f(a) token: {V}"), "token"),
    ] {
        let at = text.find(word).unwrap();
        let key = key_around(text.as_bytes(), at..at + word.len()).unwrap();
        assert_eq!(phrase_key(text.as_bytes(), key), None, "{text}");
    }
    assert_eq!(value(&format!("the password {V}"), "password"), None);
}

#[test]
fn a_named_setting_takes_only_its_own_items_value() {
    // The next item's value, a reference, or no value field: nothing.
    let next_item = format!("env:\n  - name: DB_PASSWORD\n  - name: DB_HOST\n    value: {V}\n");
    assert_eq!(value(&next_item, "password"), None);
    let from_secret =
        "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef: {name: db, key: password}\n";
    assert_eq!(value(from_secret, "password"), None);
    let closed = format!("[{{\"name\": \"DB_PASSWORD\"}}, {{\"value\": \"{V}\"}}]");
    assert_eq!(value(&closed, "password"), None);
    let renamed = format!("{{\"name\": \"DB_PASSWORD\", \"key\": \"x\", \"value\": \"{V}\"}}");
    assert_eq!(value(&renamed, "password"), None);
    let far = format!("- name: DB_PASSWORD\n  a: 1\n  b: 2\n  c: 3\n  d: 4\n  value: {V}\n");
    assert_eq!(value(&far, "password"), None);
    // Inside a string, only a URL's query parameter ends at the string's closing quote.
    assert_eq!(
        value("notes = \"Maven - io.jsonwebtoken:jjwt-jackson-0.11.2\"", "token"),
        None
    );
    // A form field's label is not a setting.
    assert_eq!(
        value("{\"name\": \"password\", \"type\": \"password\"}", "password"),
        None
    );
}

#[test]
fn references_and_expressions_are_not_literals() {
    for text in [
        "password = get_password()",
        "password = keys[0]",
        "password == \"x\"",
        "if password != expected {",
        "password: |",
        "password: {",
        "password:: Type",
        "password = f\"{prefix}x\"",
        "the password is q8Zt3LmW9xRv2KpN",
        "password = \"unterminated",
        "password = \"\"",
        "ds.setPassword(password);",
        "<password>a</passwd>",
    ] {
        assert_eq!(
            value(text, "password").filter(|v| !v.starts_with('{')),
            None,
            "{text}"
        );
    }
}

#[test]
fn a_key_inside_a_string_the_next_quote_closes_has_no_value() {
    let labels = "usernameLabel:\"Username:\",passwordLabel:\"Password:\",rememberLabel:\"Remember me:\"";
    assert_eq!(value(labels, "Password:"), None);
    assert_eq!(value(labels, "passwordLabel").as_deref(), Some("Password:"));
}

#[test]
fn values_end_where_the_syntax_ends_them() {
    assert_eq!(
        value("password = \"a\\\"b\"", "password").as_deref(),
        Some("a\\\"b")
    );
    assert_eq!(value("password=abc;x=1", "password").as_deref(), Some("abc"));
    assert_eq!(value("password=abc\\tx", "password").as_deref(), Some("abc"));
    assert_eq!(value("password=a\\b", "password").as_deref(), Some("a\\b"));
    // Code, not literals: Rust paths, generic types, suffixed or signed numbers, identifiers.
    assert_eq!(
        value("pub Password: super::Foundation::UNICODE_STRING32,", "password"),
        None
    );
    assert_eq!(
        value("let raw_private_key: Seed25519<'_> = key", "private_key"),
        None
    );
    assert_eq!(
        value(
            "pub const BOOTKEY_PASSWORD: NTSTATUS = -1073741089i32;",
            "password"
        ),
        None
    );
    assert_eq!(value("const MAX_PASSWORD = -1073741089;", "password"), None);
    assert_eq!(
        value(
            "generate_private_key: x25519_generate_private_key,",
            "private_key"
        ),
        None
    );
    // Literals that only look a little like code stay literals.
    assert_eq!(
        value("password=a8f3_k29d_x0q1", "password").as_deref(),
        Some("a8f3_k29d_x0q1")
    );
    assert_eq!(value("password=4711", "password").as_deref(), Some("4711"));
    assert_eq!(
        value("key=sk_live_38444ec4c56", "key").as_deref(),
        Some("sk_live_38444ec4c56")
    );
    assert_eq!(
        value("password = '-x25519_generate'", "password").as_deref(),
        Some("-x25519_generate")
    );
    // A blank is an operator only on a line that holds nothing after the value.
    assert_eq!(value("Password reset link sent", "password"), None);
    assert_eq!(value("the password abc123 is wrong", "password"), None);
    assert_eq!(value("enter your password q8Zt3LmW9x now", "password"), None);
    assert_eq!(value("return password;", "password"), None);
    // A key attribute names the setting only with a value attribute or text of its own.
    assert_eq!(value("<add key=\"DbPassword\" />", "password"), None);
    assert_eq!(
        value("<add key=\"DbPassword\" other=\"q8Zt3LmW9x\"/>", "password"),
        None
    );
    assert_eq!(
        value("<field name=\"password\"><input/></field>", "password"),
        None
    );
    // An element whose text spans several lines, or holds child elements, is not a value.
    assert_eq!(value("<password>\n  a\n  b\n</password>", "password"), None);
    assert_eq!(value("<password>\n  <x>abc</x>\n</password>", "password"), None);
    assert_eq!(value("password=abc\r\n", "password").as_deref(), Some("abc"));
    assert_eq!(
        value("password = abc # comment", "password").as_deref(),
        Some("abc")
    );
}

#[test]
fn a_scan_of_a_range_finds_every_assignment_once() {
    let text = format!("{{\"client_id\": \"7g4h\", \"client_secret\": \"{V}\"}}\nother = 1\n");
    let found: Vec<String> = assignments_in(text.as_bytes(), 0..text.len())
        .into_iter()
        .map(|a| format!("{}={}", normalise(&text[a.key]), &text[a.value]))
        .collect();
    assert_eq!(
        found,
        vec![
            "client_id=7g4h".to_string(),
            format!("client_secret={V}"),
            "other=1".to_string()
        ]
    );
}

#[test]
fn keys_and_values_are_bounded() {
    let long_key = format!("{}password = \"{V}\"", "a".repeat(MAX_KEY + 1));
    assert_eq!(value(&long_key, "password"), None);
    let long_value = format!("password = \"{}\"", "a".repeat(MAX_VALUE + 1));
    assert_eq!(value(&long_value, "password"), None);
}

#[test]
fn keys_on_long_lines_are_read_within_bounds() {
    // The line's start is looked for only just before the key: an instruction starting the
    // key's line counts, one after other text on the same line does not, and neither search
    // runs the length of the line.
    let after_long_line = format!("{}\nENV DB_PASSWORD {V}", "x".repeat(100_000));
    assert_eq!(value(&after_long_line, "password").as_deref(), Some(V));
    let not_an_instruction = format!("{} ENV DB_PASSWORD {V}", "x".repeat(100_000));
    assert_eq!(value(&not_an_instruction, "password"), None);
    let value_then_more = format!("password={V} {}", "y".repeat(100_000));
    assert_eq!(value(&value_then_more, "password").as_deref(), Some(V));
}
