//! `preflight settings`: the desktop app's settings of a product from a terminal or a script, through
//! the same engine code as the window (the form, its field checks, the comment-keeping save).

use crate::args::{Format, SettingsAction, SettingsArgs, SettingsFormat};
use crate::{Failure, Outcome};
use preflight_core::settings::{SettingsForm, MAX_SETTINGS_BYTES};
use preflight_core::Domain;
use preflight_flow::{Flow, FlowError};
use std::io::Read;

fn failure(e: FlowError) -> Failure {
    match e {
        FlowError::Invalid(_) | FlowError::ProductSettings(_) | FlowError::SettingsChanged => Failure::Usage(e.to_string()),
        other => Failure::Internal(other.to_string()),
    }
}

fn json(v: &impl serde::Serialize) -> Result<String, Failure> {
    serde_json::to_string_pretty(v).map_err(|e| Failure::Internal(e.to_string()))
}

/// The form on standard input, bounded like a settings file.
fn read_form() -> Result<SettingsForm, Failure> {
    let mut raw = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_SETTINGS_BYTES + 1)
        .read_to_end(&mut raw)
        .map_err(|e| Failure::Usage(format!("cannot read the form: {e}")))?;
    if raw.len() as u64 > MAX_SETTINGS_BYTES {
        return Err(Failure::Usage(format!("the form on standard input is larger than {} KiB", MAX_SETTINGS_BYTES / 1024)));
    }
    serde_json::from_slice(&raw).map_err(|e| Failure::Usage(format!("standard input is not a settings form: {e}")))
}

pub fn settings(s: SettingsArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let domain = |d: &str| Domain::parse(d).map_err(|e| Failure::Usage(e.to_string()));
    match s.action {
        SettingsAction::Show { domain: d, format } => {
            let d = domain(&d)?;
            let view = flow.settings(&d).map_err(failure)?;
            match format {
                SettingsFormat::Json => println!("{}", json(&serde_json::json!({ "schema": 1, "settings": view }))?),
                SettingsFormat::Toml => {
                    let file = view.file.clone().unwrap_or_default();
                    if view.exists {
                        print!("{}", std::fs::read_to_string(&file).map_err(|e| Failure::Internal(format!("cannot read {file}: {e}")))?);
                    } else {
                        eprintln!("preflight: {d} has no settings file yet ({file}); the defaults apply.");
                    }
                }
                SettingsFormat::Text => {
                    let f = &view.form;
                    println!("{d}: {}", view.file.as_deref().unwrap_or("(no data folder)"));
                    let names = f.names.as_ref().map(|n| n.join(", ")).unwrap_or_else(|| "www, app, api, auth (the defaults)".into());
                    println!("  names checked   {names}");
                    println!("  canonical host  {}", f.canonical.as_deref().unwrap_or("(not set)"));
                    println!("  previews        {}", f.previews.len());
                    println!("  endpoints       {}", f.endpoints.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", "));
                    println!("  callbacks       {}", f.callbacks.len());
                    for k in &view.keys {
                        let state = match (&k.saved, &k.ends_with) {
                            (true, Some(end)) => format!("saved · ends in …{end}"),
                            (true, None) => "saved".to_owned(),
                            (false, _) => format!("not in this computer's keychain: preflight keys set {d} {}", k.name),
                        };
                        println!("  key {:<12}  {state}", k.name);
                    }
                    if let Some(e) = &view.keychain_error {
                        println!("  {e}");
                    }
                }
            }
        }
        SettingsAction::Check { format } => {
            let problems = flow.check_settings(&read_form()?);
            match format {
                Format::Json => println!("{}", json(&serde_json::json!({ "schema": 1, "problems": problems }))?),
                Format::Text if problems.is_empty() => println!("The settings are fine."),
                Format::Text => {
                    for p in &problems {
                        println!("{}: {}", p.field, p.message);
                    }
                }
            }
            return Ok(Outcome::Exit(if problems.is_empty() { 0 } else { 2 }));
        }
        SettingsAction::Save { domain: d, revision } => {
            let d = domain(&d)?;
            let view = flow.save_settings(&d, &read_form()?, &revision).map_err(failure)?;
            eprintln!("preflight: saved {}", view.file.as_deref().unwrap_or_default());
            println!("{}", view.revision);
        }
        SettingsAction::Import { domain: d, file } => {
            let d = domain(&d)?;
            let now = flow.settings_revision(&d).map_err(failure)?;
            let view = flow.import_settings(&d, &file, &now).map_err(failure)?;
            eprintln!("preflight: {} is now the settings of {d} ({})", file.display(), view.file.as_deref().unwrap_or_default());
        }
        SettingsAction::Export { domain: d, file } => {
            let d = domain(&d)?;
            let to = flow.export_settings(&d, &file).map_err(failure)?;
            eprintln!("preflight: wrote the settings of {d} to {to}");
        }
    }
    Ok(Outcome::Exit(0))
}
