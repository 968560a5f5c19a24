//! Helpers shared by the fix tests.

/// Every value of `before` is in `after` unchanged; `after` may only have
/// more map keys, or a value where `before` had null.
pub fn is_contained(before: &serde_json::Value, after: &serde_json::Value, path: &str) -> Result<(), String> {
    use serde_json::Value;
    match (before, after) {
        (Value::Null, _) => Ok(()),
        (Value::Object(b), Value::Object(a)) => b.iter().try_for_each(|(k, v)| match a.get(k) {
            Some(av) => is_contained(v, av, &format!("{path}/{k}")),
            None => Err(format!("{path}/{k} lost")),
        }),
        (Value::Array(b), Value::Array(a)) if a.len() == b.len() => {
            b.iter().zip(a).enumerate().try_for_each(|(i, (bv, av))| is_contained(bv, av, &format!("{path}/{i}")))
        }
        _ if before == after => Ok(()),
        _ => Err(format!("{path}: {before} became {after}")),
    }
}
