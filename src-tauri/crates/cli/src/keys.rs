//! `preflight keys`: a product's keys in the keychain, set from standard input, listed by name.

use crate::args::{Format, KeysAction, KeysArgs};
use crate::{Failure, Outcome};
use preflight_core::Domain;
use preflight_flow::keys::MAX_KEY_BYTES;
use preflight_flow::{Flow, FlowError};
use std::io::Read;

fn failure(e: FlowError) -> Failure {
    match e {
        FlowError::Invalid(m) => Failure::Usage(m),
        other => Failure::Internal(other.to_string()),
    }
}

/// A secret (`what`: "key", "token") read from standard input, never from the command line. At
/// most one byte past `max` is read, so an endless pipe costs nothing and the flow, which trims
/// the value, refuses one that is too long (nothing is saved).
pub(crate) fn secret_from_stdin(what: &str, max: usize) -> Result<preflight_vault::Sensitive<String>, Failure> {
    let mut raw = Vec::new();
    std::io::stdin()
        .lock()
        .take(max as u64 + 1)
        .read_to_end(&mut raw)
        .map_err(|e| Failure::Usage(format!("cannot read the {what}: {e}")))?;
    let text = String::from_utf8(raw).map_err(|_| Failure::Usage(format!("the {what} on standard input is not text")))?;
    Ok(preflight_vault::Sensitive::new(text))
}

pub fn keys(k: KeysArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let domain = |d: &str| Domain::parse(d).map_err(|e| Failure::Usage(e.to_string()));
    match k.action {
        KeysAction::Set { domain: d, name } => {
            let d = domain(&d)?;
            let value = secret_from_stdin("key", MAX_KEY_BYTES)?;
            let row = flow.set_key(&d, &name, &value).map_err(failure)?;
            eprintln!(
                "preflight: \"{}\" of {d} is saved in this computer's keychain; settings name it with secret = \"{}\".",
                row.name, row.name
            );
        }
        KeysAction::List { domain: d, format } => {
            let d = domain(&d)?;
            let rows = flow.keys(&d).map_err(failure)?;
            match format {
                Format::Json => {
                    let json = serde_json::json!({ "schema": 1, "domain": d.as_str(), "keys": rows });
                    println!("{}", serde_json::to_string_pretty(&json).map_err(|e| Failure::Internal(e.to_string()))?);
                }
                Format::Text if rows.is_empty() => {
                    println!("{d} has no keys in this computer's keychain. Add one with: preflight keys set {d} NAME < file")
                }
                Format::Text => {
                    for r in rows {
                        let secs = r.set_at_ms.div_euclid(1000);
                        println!("{:<24}  set {}", r.name, preflight_core::net::cert::date(secs));
                    }
                }
            }
        }
        KeysAction::Remove { domain: d, name } => {
            let d = domain(&d)?;
            let gone = flow.remove_key(&d, &name).map_err(failure)?;
            eprintln!(
                "preflight: {}",
                if gone { format!("\"{name}\" of {d} is removed.") } else { format!("{d} had no key \"{name}\"; nothing to remove.") }
            );
        }
    }
    Ok(Outcome::Exit(0))
}
