use super::*;

fn load(source: &str) -> Result<EnvSpec, Error> {
    parse(".env.schema", source)
}

#[test]
fn header_items_and_decorators() {
    let spec = load(
        "# @defaultRequired=false @defaultSensitive=true\n# @currentEnv=$APP_ENV\n# ---\n\n# @type=enum(dev, prod)\nAPP_ENV=dev\n\n# The Stripe key\n# @required=forEnv(prod) @type=string(startsWith=sk_)\n# @example=\"sk_test_xxxx\" @docs(\"Keys\", https://dashboard.stripe.com/apikeys)\nSTRIPE_KEY=\n\n# @public @type=port(min=1024)\nPORT=3000 # @required\nNEXT_PUBLIC_URL=https://acme.io\n# @required=eq($APP_ENV, prod)\nSENTRY_DSN=op(op://vault/sentry)\n",
    )
    .unwrap();
    let c = &spec.config;
    assert_eq!(c.environments, vec!["dev", "prod"]);
    let stripe = &c.vars["STRIPE_KEY"];
    assert_eq!(stripe.required, Required::Envs(vec!["prod".into()]));
    assert!(stripe.secret);
    assert_eq!(stripe.description.as_deref(), Some("The Stripe key"));
    assert_eq!(stripe.example.as_deref(), Some("sk_test_xxxx"));
    assert_eq!(stripe.docs, vec!["Keys: https://dashboard.stripe.com/apikeys"]);
    assert_eq!(stripe.constraints.starts_with.as_deref(), Some("sk_"));
    let port = &c.vars["PORT"];
    assert_eq!(
        (port.var_type, port.required.clone(), port.secret),
        (crate::types::VarType::Port, Required::All, false)
    );
    assert_eq!(
        (port.default.as_deref(), port.constraints.min),
        (Some("3000"), Some(1024.0))
    );
    assert!(!c.vars["NEXT_PUBLIC_URL"].secret);
    assert_eq!(c.vars["APP_ENV"].required, Required::Never);
    let sentry = &c.vars["SENTRY_DSN"];
    assert_eq!(sentry.default, None);
    assert_eq!(sentry.required_when.as_ref().unwrap().any_of[0][0].var, "APP_ENV");
    assert_eq!(spec.positions["SENTRY_DSN"], (17, 1));
}

#[test]
fn a_byte_order_mark_keeps_the_header() {
    let spec = load("\u{feff}# @defaultRequired=true\n# ---\nA=\n").unwrap();
    assert_eq!(spec.config.vars["A"].required, Required::All);
}

#[test]
fn varlock_defaults_infer_required_and_sensitive() {
    let spec = load("A=1\nB=\n# @optional\nC=x\n").unwrap();
    let v = &spec.config.vars;
    assert_eq!(v["A"].required, Required::All);
    assert_eq!(v["B"].required, Required::Never);
    assert_eq!(v["C"].required, Required::Never);
    assert!(v["A"].secret && v["B"].secret);
}

#[test]
fn errors_point_at_the_decorator() {
    let cases = [
        ("# @requried\nA=\n", (1, 3), "unknown decorator @requried"),
        (
            "# @required\n# @type=ip\nA=\n",
            (2, 3),
            "@type=ip is not supported",
        ),
        (
            "# @type=string(minLen=3)\nA=\n",
            (1, 3),
            "the option `minLen` of @type=string is not supported",
        ),
        (
            "# @defaultRequired=true\n# ---\n# @import(./.env.other)\nA=\n",
            (3, 3),
            "is a root decorator",
        ),
        (
            "# @import(./.env.other)\n# ---\nA=\n",
            (1, 3),
            "@import is not supported",
        ),
        ("# @required=forEnv(prd)\nA=\n", (1, 3), "forEnv names `prd`"),
        ("# @required=eq($B, x)\nA=\n", (1, 3), "refers to `B`"),
        ("# @type=enum(a, b\nA=\n", (1, 18), "missing `)`"),
        ("#   @required @optional\nA=\n", (1, 15), "given twice"),
        ("# @type=url\nA=not a url\n", (2, 1), "the default of A"),
        (
            "# @currentEnv=$APP_ENV\n# ---\nA=\n",
            (1, 3),
            "@currentEnv names `APP_ENV`",
        ),
    ];
    for (source, at, words) in cases {
        let e = match load(source) {
            Err(e) => e,
            Ok(spec) => {
                let schema = crate::schema::Schema {
                    config: spec.config,
                    file: Some(".env.schema".into()),
                    source: source.into(),
                    notes: Vec::new(),
                    current_env: None,
                    positions: spec.positions,
                };
                crate::schema::check_schema(&schema).unwrap_err()
            }
        };
        assert!(e.message().contains(words), "{source}: {}", e.render(false));
        assert_eq!(e.position(), Some(at), "{source}: {}", e.render(false));
    }
}

#[test]
fn plugins_turn_unknown_decorators_into_notes() {
    let spec = load("# @plugin(@varlock/1password-plugin)\n# @initOp(allowAppAuth=true)\n# ---\n# @type=opServiceAccountToken @sensitive\nOP_TOKEN=\n").unwrap();
    assert_eq!(spec.notes.len(), 2, "{:?}", spec.notes);
    assert!(spec.notes[0].contains(".env.schema:2:3: ignored @initOp"));
}
