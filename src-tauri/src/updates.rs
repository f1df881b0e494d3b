//! Updates: the release's signed manifest, checked a minute after start and then once a day,
//! never installed without the founder's yes. The updater plugin downloads the new package and
//! checks its signature against the public key built into this app before anything runs (a
//! changed package or manifest is refused); the history is written out and the watcher stopped
//! before the installer replaces the app, and the new version migrates the database when it opens
//! it. `preflight-desktop --update` does the same from a terminal.
//!
//! The manifest's address is in the build's configuration (the release workflow sets it);
//! `PREFLIGHT_UPDATE_URL` points a build at another one (a mirror, the update test).

use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, Manager};
use tauri_plugin_updater::{Update, UpdaterExt};

/// The manifest this build checks: `PREFLIGHT_UPDATE_URL`, else the first endpoint of its
/// configuration (none in a build that does not update itself).
pub fn manifest_url(app: &AppHandle) -> Option<String> {
    if let Some(url) = std::env::var("PREFLIGHT_UPDATE_URL").ok().filter(|u| !u.trim().is_empty()) {
        return Some(url.trim().to_owned());
    }
    let plugins = &app.config().plugins.0;
    plugins.get("updater")?.get("endpoints")?.as_array()?.first()?.as_str().map(str::to_owned)
}

/// What a newer release brings, for the window to ask about.
#[derive(Debug, Clone, Serialize, Type)]
pub struct UpdateInfo {
    pub version: String,
    pub current: String,
    /// The release notes, as the release wrote them.
    pub notes: Option<String>,
    /// When it was published (RFC 3339), when the manifest says.
    pub date: Option<String>,
}

fn failed(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::Unreachable, format!("{what}: {e}"))
}

/// The newer release, when there is one.
async fn find(app: &AppHandle) -> AppResult<Option<Update>> {
    let mut builder = app.updater_builder();
    if let Some(url) = std::env::var("PREFLIGHT_UPDATE_URL").ok().filter(|u| !u.trim().is_empty()) {
        let url = url.trim().parse().map_err(|e| failed("PREFLIGHT_UPDATE_URL is not an address", e))?;
        builder = builder.endpoints(vec![url]).map_err(|e| failed("PREFLIGHT_UPDATE_URL", e))?;
    }
    let updater = builder.build().map_err(|e| {
        AppError::new(
            ErrorCode::InvalidSettings,
            format!("This build of Preflight does not update itself ({e}); download new versions from the releases page."),
        )
    })?;
    updater.check().await.map_err(|e| failed("Could not check for a new version", e))
}

fn info(u: &Update) -> UpdateInfo {
    UpdateInfo {
        version: u.version.clone(),
        current: u.current_version.clone(),
        notes: u.body.clone().filter(|b| !b.trim().is_empty()),
        date: u.raw_json.get("pub_date").and_then(|d| d.as_str()).map(str::to_owned),
    }
}

/// Whether a newer release is out, and what it brings.
#[tauri::command]
#[specta::specta]
pub async fn check_update(app: AppHandle) -> AppResult<Option<UpdateInfo>> {
    Ok(find(&app).await?.as_ref().map(info))
}

/// Installs the newer release the founder said yes to, then restarts into it. `version` is the one
/// they were shown: a different one on the server now is not installed unasked.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app), err)]
pub async fn install_update(app: AppHandle, version: String) -> AppResult<()> {
    let update = find(&app).await?.ok_or_else(|| AppError::new(ErrorCode::NotFound, "Preflight is already up to date."))?;
    if update.version != version {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("The release changed to {} since you were asked: look at it again.", update.version),
        ));
    }
    install(&app, &update).await?;
    app.restart();
}

/// Downloads, verifies and installs `update`, after the history is safely written.
async fn install(app: &AppHandle, update: &Update) -> AppResult<()> {
    quiesce(app).await;
    update
        .download_and_install(|_, _| {}, || {})
        .await
        .map_err(|e| failed(&format!("Preflight {} was not installed, and nothing changed", update.version), e))?;
    tracing::info!(version = %update.version, "update installed");
    Ok(())
}

/// Stops the watcher and writes what the history holds, so the installer never replaces the app
/// in the middle of a write.
async fn quiesce(app: &AppHandle) {
    let state = app.state::<AppState>();
    *state.watch.running.lock().await = None;
    if let Ok(store) = state.flow.store() {
        if let Err(e) = store.flush() {
            tracing::warn!(error = %e, "the history could not be flushed before the update");
        }
    }
}

/// The newer release, if any; a failed check is logged and counts as none.
async fn newer(app: &AppHandle) -> Option<UpdateInfo> {
    match find(app).await {
        Ok(u) => u.as_ref().map(info),
        Err(e) => {
            tracing::info!(error = %e.message, "update check");
            None
        }
    }
}

/// Has the window offer `update`.
fn offer(app: &AppHandle, update: UpdateInfo) {
    use tauri_specta::Event;
    let _ = (crate::events::UpdateAvailable { update }).emit(app);
}

/// Checks now (a second `--update` launch reached the open app).
pub fn offer_now(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Some(u) = newer(&app).await {
            offer(&app, u);
        }
    });
}

/// A minute after start, then once a day: tells the window (and, once per version, the founder)
/// that a newer release is ready. Nothing is installed here.
pub fn start_checks(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut told: Option<String> = None;
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        loop {
            if let Some(u) = newer(&app).await.filter(|u| told.as_ref() != Some(&u.version)) {
                let version = u.version.clone();
                offer(&app, u);
                crate::notify::show(
                    &app,
                    &preflight_flow::Notice {
                        title: format!("Preflight {version} is ready to install"),
                        body: "Open Preflight to see what is new and install it when it suits you.".into(),
                    },
                );
                told = Some(version);
            }
            tokio::time::sleep(std::time::Duration::from_secs(24 * 3600)).await;
        }
    });
}

/// `preflight-desktop --update`: checks, shows the notes, asks on the terminal, installs. Exit 0
/// up to date or updated, 1 refused or failed, 2 declined.
pub async fn from_terminal(app: &AppHandle) -> i32 {
    let update = match find(app).await {
        Ok(Some(u)) => u,
        Ok(None) => {
            println!("Preflight {} is up to date.", app.package_info().version);
            return 0;
        }
        Err(e) => {
            eprintln!("{}", e.message);
            return 1;
        }
    };
    let i = info(&update);
    println!("Preflight {} is available (this is {}).", i.version, i.current);
    if let Some(notes) = &i.notes {
        println!("\n{notes}\n");
    }
    print!("Install it now? [y/N] ");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    if !matches!(answer.trim(), "y" | "Y" | "yes") {
        println!("Nothing was installed.");
        return 2;
    }
    match install(app, &update).await {
        Ok(()) => {
            println!("Preflight {} is installed. Your history and settings are where they were.", i.version);
            0
        }
        Err(e) => {
            eprintln!("{}", e.message);
            1
        }
    }
}
