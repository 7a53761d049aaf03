//! LHCI's assertion presets, `lighthouse:all`, `lighthouse:recommended` and
//! `lighthouse:no-pwa`, as LHCI 0.15.1 defines them (the data is in `presets.json`: each
//! preset replaces whole entries of the one it extends). A config's own assertions are then
//! merged over the preset the way LHCI merges them: a level alone replaces the entry, a
//! `[level, options]` pair is merged into it position by position and option by option.

use serde_json::{Map, Value};

/// The preset names LHCI accepts.
pub const NAMES: [&str; 3] = ["lighthouse:all", "lighthouse:recommended", "lighthouse:no-pwa"];

const DATA: &str = include_str!("presets.json");

/// The assertions of preset `name`, or `None` for a name LHCI does not know.
pub fn assertions(name: &str) -> Option<Map<String, Value>> {
    let data: Value = serde_json::from_str(DATA).expect("presets.json is valid JSON");
    let preset = data.get(name)?;
    let mut out = match preset.get("extends").and_then(Value::as_str) {
        Some(base) => assertions(base)?,
        None => Map::new(),
    };
    for (key, value) in preset.get("assertions")?.as_object()? {
        out.insert(key.clone(), value.clone());
    }
    Some(out)
}

/// The preset's assertions with `own` (a config's `assertions` object) merged over them.
pub fn with_overrides(mut preset: Map<String, Value>, own: Option<&Value>) -> Value {
    if let Some(own) = own.and_then(Value::as_object) {
        for (key, value) in own {
            let merged = match preset.remove(key) {
                Some(base) => merge(base, value),
                None => value.clone(),
            };
            preset.insert(key.clone(), merged);
        }
    }
    Value::Object(preset)
}

/// A deep merge of `top` into `base`: arrays by position and objects by key, recursively;
/// anything else in `top` replaces what is in `base`.
fn merge(base: Value, top: &Value) -> Value {
    match (base, top) {
        (Value::Array(mut base), Value::Array(top)) => {
            for (i, value) in top.iter().enumerate() {
                match base.get_mut(i) {
                    Some(slot) => *slot = merge(slot.take(), value),
                    None => base.push(value.clone()),
                }
            }
            Value::Array(base)
        }
        (Value::Object(mut base), Value::Object(top)) => {
            for (key, value) in top {
                let merged = match base.remove(key) {
                    Some(old) => merge(old, value),
                    None => value.clone(),
                };
                base.insert(key.clone(), merged);
            }
            Value::Object(base)
        }
        (_, top) => top.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn presets_extend_each_other() {
        let all = assertions("lighthouse:all").unwrap();
        let recommended = assertions("lighthouse:recommended").unwrap();
        let no_pwa = assertions("lighthouse:no-pwa").unwrap();
        assert_eq!(all.len(), 167);
        assert_eq!(recommended.len(), all.len());
        assert_eq!(all["unused-javascript"], json!("error"));
        assert_eq!(
            recommended["unused-javascript"],
            json!(["error", {"maxLength": 0}])
        );
        assert_eq!(recommended["viewport"], json!("error"));
        assert_eq!(no_pwa["viewport"], json!("off"));
        assert!(assertions("lighthouse:none").is_none());
    }

    #[test]
    fn own_assertions_merge_as_lhci_merges_them() {
        let preset = assertions("lighthouse:recommended").unwrap();
        let own = json!({
            "unused-javascript": ["warn"],
            "offscreen-images": "off",
            "uses-text-compression": ["error", {"minScore": 1}],
            "categories:performance": ["error", {"minScore": 0.9}]
        });
        let merged = with_overrides(preset, Some(&own));
        assert_eq!(merged["unused-javascript"], json!(["warn", {"maxLength": 0}]));
        assert_eq!(merged["offscreen-images"], json!("off"));
        assert_eq!(
            merged["uses-text-compression"],
            json!(["error", {"maxLength": 0, "minScore": 1}])
        );
        assert_eq!(
            merged["categories:performance"],
            json!(["error", {"minScore": 0.9}])
        );
        assert_eq!(merged["bootup-time"], json!("warn"));
    }
}
