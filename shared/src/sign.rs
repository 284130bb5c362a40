//! The signing algorithm of all partner traffic, both directions.
//!
//! `sign` = lowercase hex HMAC-SHA256(secret, canonical string). The canonical
//! string is every top-level field except `sign`, leaving out fields whose value
//! is null or the empty string, sorted by key (byte order), written `key=value`
//! and joined with `&`. A string is its raw text; a number or boolean its JSON
//! text; an object or array its compact JSON with object keys sorted at every
//! level. The published vectors are in `shared/signing-vectors.json`.

use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

/// The name of the signature field.
pub const SIGN_FIELD: &str = "sign";

/// How far a request's `timestamp` may be from the receiver's clock, in seconds.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// Why a signature was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignError {
    /// The body has no `sign` string, or an empty one.
    Missing,
    /// `sign` is not 64 hex digits.
    Malformed,
    /// `sign` does not match the body.
    Mismatch,
}

impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignError::Missing => "sign is missing",
            SignError::Malformed => "sign is not 64 hex digits",
            SignError::Mismatch => "sign does not match",
        })
    }
}

impl std::error::Error for SignError {}

/// The string that is signed, for a JSON object body.
pub fn canonical_string(body: &Map<String, Value>) -> String {
    let mut fields: Vec<(&String, &Value)> = body
        .iter()
        .filter(|(k, v)| k.as_str() != SIGN_FIELD && !v.is_null() && v.as_str() != Some(""))
        .collect();
    fields.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut out = String::new();
    for (i, (key, value)) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        match value {
            Value::String(s) => out.push_str(s),
            other => write_sorted_json(other, &mut out),
        }
    }
    out
}

/// Compact JSON with object keys sorted by bytes at every level, whatever map
/// order serde_json was built with.
fn write_sorted_json(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_sorted_json(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_sorted_json(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn mac(secret: &str, body: &Map<String, Value>) -> Hmac<Sha256> {
    // HMAC takes keys of any length; this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(canonical_string(body).as_bytes());
    mac
}

/// The lowercase hex signature of `body` (its `sign` field, if any, is ignored).
pub fn sign(secret: &str, body: &Map<String, Value>) -> String {
    hex::encode(mac(secret, body).finalize().into_bytes())
}

/// Signs `body` in place: sets its `sign` field.
pub fn sign_in_place(secret: &str, body: &mut Map<String, Value>) {
    let signature = sign(secret, body);
    body.insert(SIGN_FIELD.to_owned(), Value::String(signature));
}

/// Checks the `sign` field of `body` in constant time.
pub fn verify(secret: &str, body: &Map<String, Value>) -> Result<(), SignError> {
    let given = match body.get(SIGN_FIELD) {
        Some(Value::String(s)) if !s.is_empty() => s,
        _ => return Err(SignError::Missing),
    };
    if given.len() != 64 {
        return Err(SignError::Malformed);
    }
    let bytes = hex::decode(given.to_ascii_lowercase()).map_err(|_| SignError::Malformed)?;
    mac(secret, body)
        .verify_slice(&bytes)
        .map_err(|_| SignError::Mismatch)
}

/// Whether a request `timestamp` (unix seconds) is within the allowed window.
pub fn timestamp_fresh(timestamp: i64, now: i64) -> bool {
    (now - timestamp).abs() <= MAX_CLOCK_SKEW_SECS
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!("test bodies are objects"),
        }
    }

    #[derive(serde::Deserialize)]
    struct Vector {
        name: String,
        secret: String,
        body: Map<String, Value>,
        canonical: String,
        sign: String,
    }

    #[test]
    fn published_vectors_hold() {
        let vectors: Vec<Vector> =
            serde_json::from_str(include_str!("../signing-vectors.json")).expect("vectors parse");
        assert!(vectors.len() >= 5);
        for v in vectors {
            assert_eq!(
                canonical_string(&v.body),
                v.canonical,
                "canonical of {}",
                v.name
            );
            assert_eq!(sign(&v.secret, &v.body), v.sign, "sign of {}", v.name);
            let mut signed = v.body.clone();
            signed.insert("sign".into(), Value::String(v.sign.clone()));
            assert_eq!(verify(&v.secret, &signed), Ok(()), "verify of {}", v.name);
        }
    }

    #[test]
    fn null_and_empty_fields_are_left_out_but_zero_and_false_stay() {
        let body = obj(json!({"b": "", "a": null, "c": 0, "d": false, "sign": "x"}));
        assert_eq!(canonical_string(&body), "c=0&d=false");
    }

    #[test]
    fn nested_objects_are_sorted_compact_json() {
        let body = obj(json!({"data": {"z": [1, {"y": "é", "b": null}], "a": "q\""}}));
        assert_eq!(
            canonical_string(&body),
            r#"data={"a":"q\"","z":[1,{"b":null,"y":"é"}]}"#
        );
    }

    #[test]
    fn bad_signatures_are_refused() {
        let mut body = obj(json!({"u_id": "42", "timestamp": 1_700_000_000, "nonce": "n"}));
        assert_eq!(verify("s", &body), Err(SignError::Missing));
        body.insert("sign".into(), json!(""));
        assert_eq!(verify("s", &body), Err(SignError::Missing));
        body.insert("sign".into(), json!("abc"));
        assert_eq!(verify("s", &body), Err(SignError::Malformed));
        let good = sign("s", &body);
        body.insert("sign".into(), json!(&good[..63]));
        assert_eq!(verify("s", &body), Err(SignError::Malformed));
        body.insert("sign".into(), json!(good.to_uppercase()));
        assert_eq!(verify("s", &body), Ok(()));
        body.insert("sign".into(), json!(good));
        assert_eq!(verify("other", &body), Err(SignError::Mismatch));
        body.insert("u_id".into(), json!("43"));
        assert_eq!(verify("s", &body), Err(SignError::Mismatch));
    }

    fn scalar() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            "\\PC{0,12}".prop_map(Value::String),
        ]
    }

    fn value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        scalar().prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[a-zA-Z_]{1,6}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn body() -> impl proptest::strategy::Strategy<Value = Map<String, Value>> {
        use proptest::prelude::*;
        proptest::collection::btree_map("[a-zA-Z_]{1,8}", value(), 1..8)
            .prop_map(|m| m.into_iter().collect())
    }

    proptest::proptest! {
        #[test]
        fn a_signed_body_verifies_and_survives_a_json_round_trip(body in body(), secret in "[ -~]{1,24}") {
            let mut signed = body.clone();
            sign_in_place(&secret, &mut signed);
            proptest::prop_assert_eq!(verify(&secret, &signed), Ok(()));
            // Whatever order a receiver's JSON library keeps keys in.
            let text = serde_json::to_string(&signed).expect("serialize");
            let back: Map<String, Value> = serde_json::from_str(&text).expect("parse");
            proptest::prop_assert_eq!(verify(&secret, &back), Ok(()));
            let reversed: Map<String, Value> = back.clone().into_iter().rev().collect();
            proptest::prop_assert_eq!(canonical_string(&reversed), canonical_string(&back));
        }

        #[test]
        fn changing_a_signed_field_breaks_the_signature(body in body(), extra in "[a-z]{1,8}") {
            let mut signed = body.clone();
            sign_in_place("k", &mut signed);
            let key = signed.keys().find(|k| k.as_str() != SIGN_FIELD).cloned().expect("a field");
            let old = signed[&key].clone();
            let new = json!(format!("{extra}{old}"));
            signed.insert(key, new);
            proptest::prop_assert_eq!(verify("k", &signed), Err(SignError::Mismatch));
        }

        #[test]
        fn the_canonical_string_never_holds_null_or_empty_fields(body in body()) {
            let canonical = canonical_string(&body);
            for (key, value) in &body {
                let present = canonical.split('&').any(|pair| pair.starts_with(&format!("{key}=")));
                let expected = !value.is_null() && value.as_str() != Some("");
                proptest::prop_assert_eq!(present, expected, "{}", key);
            }
        }
    }

    #[test]
    fn timestamps_outside_five_minutes_are_stale() {
        assert!(timestamp_fresh(1000, 1300));
        assert!(!timestamp_fresh(1000, 1301));
        assert!(!timestamp_fresh(1301, 1000));
    }
}
