//! A JSON answer's field by dotted path (`reply`, `choices.0.message.content`), as text: what a
//! chat's reply, a step's capture and a step's assertion read.

/// The field at `path` in `body`, as text (a string as it is, anything else as JSON); `None` when
/// the body is not JSON, the field is missing or null.
pub fn field(body: &[u8], path: &str) -> Option<String> {
    let root: serde_json::Value = serde_json::from_slice(body).ok()?;
    let mut at = &root;
    for part in path.split('.') {
        at = match part.parse::<usize>() {
            Ok(i) => at.get(i)?,
            Err(_) => at.get(part)?,
        };
    }
    match at {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dotted_paths_walk_objects_and_arrays() {
        let body = br#"{"choices":[{"message":{"content":"Hi"}}],"n":3,"none":null}"#;
        assert_eq!(super::field(body, "choices.0.message.content").as_deref(), Some("Hi"));
        assert_eq!(super::field(body, "n").as_deref(), Some("3"));
        assert_eq!(super::field(body, "none"), None);
        assert_eq!(super::field(b"not json", "n"), None);
    }
}
