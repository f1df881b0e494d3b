//! `preflight providers`: connect a provider's read-only token (read from standard input, checked
//! with the provider before it is kept), list what a product has connected, remove a token.

use crate::args::{Format, ProvidersAction, ProvidersArgs};
use crate::{Failure, Outcome};
use preflight_core::Domain;
use preflight_flow::{Flow, FlowError};

fn failure(e: FlowError) -> Failure {
    match e {
        FlowError::Invalid(m) => Failure::Usage(m),
        other => Failure::Internal(other.to_string()),
    }
}

pub async fn providers(p: ProvidersArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let domain = |d: &str| Domain::parse(d).map_err(|e| Failure::Usage(e.to_string()));
    match p.action {
        ProvidersAction::Connect { domain: d, provider, .. } => {
            let d = domain(&d)?;
            let token = crate::keys::secret_from_stdin("token", preflight_flow::providers::MAX_TOKEN_BYTES)?;
            let says = flow.connect_provider(&d, &provider, &token).await.map_err(failure)?;
            eprintln!("preflight: {says} Each audit of {d} now reads these settings too.");
        }
        ProvidersAction::List { domain: d, format } => {
            let d = domain(&d)?;
            let states = flow.providers(&d).map_err(failure)?;
            match format {
                Format::Json => {
                    let json = serde_json::json!({ "schema": 1, "domain": d.as_str(), "providers": states });
                    println!("{}", serde_json::to_string_pretty(&json).map_err(|e| Failure::Internal(e.to_string()))?);
                }
                Format::Text => {
                    for s in states {
                        if let Some(at) = s.set_at_ms {
                            println!(
                                "{:<12} connected (token set {}, keychain entry \"{}\")",
                                s.label,
                                preflight_core::net::cert::date(at.div_euclid(1000)),
                                s.key_name
                            );
                        } else {
                            println!("{:<12} not connected. {}", s.label, s.where_to_create);
                            for (permission, what) in &s.permissions {
                                println!("    {permission:<34} {what}");
                            }
                            println!("    then: preflight providers connect {d} {} < token.txt", s.provider);
                        }
                    }
                }
            }
        }
        ProvidersAction::Remove { domain: d, provider } => {
            let d = domain(&d)?;
            let gone = flow.disconnect_provider(&d, &provider).map_err(failure)?;
            eprintln!(
                "preflight: {}",
                if gone {
                    format!("the {provider} token of {d} is removed.")
                } else {
                    format!("{d} had no {provider} token; nothing to remove.")
                }
            );
        }
    }
    Ok(Outcome::Exit(0))
}
