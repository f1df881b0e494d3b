//! The tray icon of the desktop app: it renders the shared [`TrayModel`] (preflight-flow's
//! `tray_model`, unit-tested there) with Tauri and does what the menu says. With monitors, the icon
//! shows the worst monitor state; without, the last audit's outcome. "Run audit of …" runs in Rust
//! through the shared flow.

use crate::events::AuditFinished;
use crate::state::AppState;
use crate::{watcher, window};
pub use preflight_flow::tray_model::{health_of, icon_bytes, look, menu_model, tooltip, Health, MenuAction, MenuEntry, TrayModel};
use preflight_flow::Source;
use tauri::image::Image;
use tauri::menu::{IsMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

const TRAY_ID: &str = "main";

fn build_menu<R: Runtime>(app: &AppHandle<R>, entries: &[MenuEntry]) -> tauri::Result<Menu<R>> {
    let mut items: Vec<Box<dyn IsMenuItem<R>>> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        match e {
            MenuEntry::Item { action, label, enabled } => {
                items.push(Box::new(MenuItem::with_id(app, action.id(), label, *enabled, None::<&str>)?))
            }
            MenuEntry::Info(label) => items.push(Box::new(MenuItem::with_id(app, format!("info_{i}"), label, false, None::<&str>)?)),
            MenuEntry::Separator => items.push(Box::new(PredefinedMenuItem::separator(app)?)),
        }
    }
    let refs: Vec<&dyn IsMenuItem<R>> = items.iter().map(|i| i.as_ref()).collect();
    Menu::with_items(app, &refs)
}

/// Creates the tray icon.
pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let menu = build_menu(app, &menu_model(&TrayModel::default()))?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(icon_bytes(Health::Unknown))?)
        .tooltip("Preflight")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| {
            let Some(action) = MenuAction::from_id(event.id.as_ref()) else { return };
            match action {
                MenuAction::Open => window::show(app),
                MenuAction::RunAudit => {
                    window::show(app);
                    let flow = app.state::<AppState>().flow.clone();
                    tauri::async_runtime::spawn(async move {
                        if let Err(e) = flow.rerun_last(Source::Tray).await {
                            tracing::warn!(error = %e, "the tray's audit did not run");
                        }
                    });
                }
                MenuAction::Mute(hours) => watcher::mute(app, u64::from(hours) * 3_600_000),
                MenuAction::Unmute => watcher::mute(app, 0),
                MenuAction::Pause => watcher::pause(app, true),
                MenuAction::Resume => watcher::pause(app, false),
                MenuAction::Quit => app.exit(0),
            }
        })
        .build(app)?;
    Ok(())
}

/// Changes the tray model and renders it.
pub fn update(app: &AppHandle, change: impl FnOnce(&mut TrayModel)) {
    let model = {
        let state = app.state::<AppState>();
        let Ok(mut m) = state.tray.lock() else { return };
        change(&mut m);
        m.clone()
    };
    let Some(tray) = app.tray_by_id(TRAY_ID) else { return };
    if let Ok(menu) = build_menu(app, &menu_model(&model)) {
        let _ = tray.set_menu(Some(menu));
    }
    let (health, tip) = look(&model);
    if let Ok(icon) = Image::from_bytes(icon_bytes(health)) {
        let _ = tray.set_icon(Some(icon));
    }
    let _ = tray.set_tooltip(Some(tip));
}

/// Marks an audit of `domain` as running (or not) in the menu.
pub fn set_auditing(app: &AppHandle, auditing: bool, domain: Option<&str>) {
    update(app, |m| {
        m.auditing = auditing;
        if let Some(d) = domain {
            m.last_domain = Some(d.to_owned());
        }
    });
}

/// Shows an audit's outcome in the icon and tooltip (when no monitor has a say).
pub fn show_result(app: &AppHandle, finished: &AuditFinished) {
    update(app, |m| m.audit = Some((health_of(&finished.summary), tooltip(&finished.domain, &finished.summary))));
}
