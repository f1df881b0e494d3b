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

pub fn keys(k: KeysArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let domain = |d: &str| Domain::parse(d).map_err(|e| Failure::Usage(e.to_string()));
    match k.action {
        KeysAction::Set { domain: d, name } => {
            let d = domain(&d)?;
            // One byte past the bound says "too long" without reading an endless pipe.
            let mut raw = Vec::new();
            std::io::stdin()
                .lock()
                .take(MAX_KEY_BYTES as u64 + 1)
                .read_to_end(&mut raw)
                .map_err(|e| Failure::Usage(format!("cannot read the key: {e}")))?;
            let text = String::from_utf8(raw).map_err(|_| Failure::Usage("the key on standard input is not text".into()))?;
            let value = preflight_vault::Sensitive::new(text);
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
