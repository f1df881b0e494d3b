//! The tray icon: its menu, its icon per health, and what the menu does.
//!
//! The menu model and the health → icon mapping are plain functions, unit-tested, because a
//! headless X server has no tray host to click (PLATFORM-NOTES pitfall 8). The Tauri calls below
//! only render that model. "Run audit of …" runs in Rust through the shared flow, which re-runs
//! exactly the target whose domain the label names; the window follows along through the events.

use crate::events::AuditFinished;
use crate::state::AppState;
use preflight_core::Summary;
use preflight_flow::Source;
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

const TRAY_ID: &str = "main";

/// What the tray shows: the worst state of what Preflight watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Nothing checked yet.
    Unknown,
    Ok,
    /// Needs attention, but up.
    Degraded,
    /// A problem (for audits) or a monitor down.
    Down,
    /// Watching is paused (offline, muted).
    Paused,
}

/// The tray state for an audit's counts. An audit that could not look at everything and found
/// nothing wrong is not "ok": it shows as unknown.
pub fn health_of(summary: &Summary) -> Health {
    if summary.fail > 0 {
        Health::Down
    } else if summary.warn > 0 {
        Health::Degraded
    } else if summary.error > 0 {
        Health::Unknown
    } else {
        Health::Ok
    }
}

/// The PNG for a health state (icons/tray-*.png, 32×32).
pub fn icon_bytes(health: Health) -> &'static [u8] {
    match health {
        Health::Ok => include_bytes!("../../icons/tray-ok.png"),
        Health::Degraded => include_bytes!("../../icons/tray-degraded.png"),
        Health::Down => include_bytes!("../../icons/tray-down.png"),
        Health::Paused | Health::Unknown => include_bytes!("../../icons/tray-paused.png"),
    }
}

/// The tooltip after an audit, in the founder's words.
pub fn tooltip(domain: &str, s: &Summary) -> String {
    match (s.fail, s.warn) {
        (0, 0) if s.error > 0 => format!("Preflight: {domain} could not be checked completely"),
        (0, 0) => format!("Preflight: {domain} passed every check"),
        (0, w) => format!("Preflight: {domain} has {w} thing{} needing attention", if w == 1 { "" } else { "s" }),
        (f, _) => format!("Preflight: {domain} has {f} problem{}", if f == 1 { "" } else { "s" }),
    }
}

/// A menu item's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuAction {
    Open,
    RunAudit,
    Quit,
}

impl MenuAction {
    fn id(self) -> &'static str {
        match self {
            MenuAction::Open => "open",
            MenuAction::RunAudit => "run_audit",
            MenuAction::Quit => "quit",
        }
    }
    fn from_id(id: &str) -> Option<MenuAction> {
        [MenuAction::Open, MenuAction::RunAudit, MenuAction::Quit].into_iter().find(|a| a.id() == id)
    }
}

/// One line of the tray menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntry {
    pub action: MenuAction,
    pub label: String,
    pub enabled: bool,
}

/// The menu for the current situation.
pub fn menu_model(last_domain: Option<&str>, auditing: bool) -> Vec<MenuEntry> {
    let run_label = match (auditing, last_domain) {
        (true, _) => "Audit running…".to_owned(),
        (false, Some(d)) => format!("Run audit of {d}"),
        (false, None) => "Run audit".to_owned(),
    };
    vec![
        MenuEntry { action: MenuAction::Open, label: "Open Preflight".into(), enabled: true },
        MenuEntry { action: MenuAction::RunAudit, label: run_label, enabled: !auditing && last_domain.is_some() },
        MenuEntry { action: MenuAction::Quit, label: "Quit Preflight".into(), enabled: true },
    ]
}

fn build_menu<R: Runtime>(app: &AppHandle<R>, entries: &[MenuEntry]) -> tauri::Result<Menu<R>> {
    let items = entries
        .iter()
        .map(|e| MenuItem::with_id(app, e.action.id(), &e.label, e.enabled, None::<&str>))
        .collect::<tauri::Result<Vec<_>>>()?;
    let refs: Vec<&dyn tauri::menu::IsMenuItem<R>> = items.iter().map(|i| i as &dyn tauri::menu::IsMenuItem<R>).collect();
    Menu::with_items(app, &refs)
}

/// Creates the tray icon.
pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let menu = build_menu(app, &menu_model(None, false))?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(icon_bytes(Health::Unknown))?)
        .tooltip("Preflight")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| match MenuAction::from_id(event.id.as_ref()) {
            Some(MenuAction::Open) => show_window(app),
            Some(MenuAction::RunAudit) => {
                show_window(app);
                let flow = app.state::<AppState>().flow.clone();
                tauri::async_runtime::spawn(async move {
                    if let Err(e) = flow.rerun_last(Source::Tray).await {
                        tracing::warn!(error = %e, "the tray's audit did not run");
                    }
                });
            }
            Some(MenuAction::Quit) => app.exit(0),
            None => {}
        })
        .build(app)?;
    Ok(())
}

/// Brings the main window back (it hides instead of closing).
pub fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// Marks an audit of `domain` as running (or not) in the menu.
pub fn set_auditing(app: &AppHandle, auditing: bool, domain: Option<&str>) {
    if let (Some(tray), Ok(menu)) = (app.tray_by_id(TRAY_ID), build_menu(app, &menu_model(domain, auditing))) {
        let _ = tray.set_menu(Some(menu));
    }
}

/// Shows an audit's outcome in the icon and tooltip.
pub fn show_result(app: &AppHandle, finished: &AuditFinished) {
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        if let Ok(icon) = Image::from_bytes(icon_bytes(health_of(&finished.summary))) {
            let _ = tray.set_icon(Some(icon));
        }
        let _ = tray.set_tooltip(Some(tooltip(&finished.domain, &finished.summary)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_audit_needs_a_domain_and_no_audit_running() {
        let m = menu_model(None, false);
        assert_eq!(m.iter().map(|e| e.action).collect::<Vec<_>>(), vec![MenuAction::Open, MenuAction::RunAudit, MenuAction::Quit]);
        assert!(!m[1].enabled, "nothing to re-run before the first audit");
        let m = menu_model(Some("acme.com"), false);
        assert_eq!(m[1].label, "Run audit of acme.com");
        assert!(m[1].enabled);
        assert!(!menu_model(Some("acme.com"), true)[1].enabled, "no second audit while one runs");
    }

    #[test]
    fn the_icon_shows_the_worst_state() {
        let s = |fail, warn| Summary { fail, warn, ..Summary::default() };
        assert_eq!(health_of(&s(1, 3)), Health::Down);
        assert_eq!(health_of(&s(0, 2)), Health::Degraded);
        assert_eq!(health_of(&s(0, 0)), Health::Ok);
        let unsure = Summary { error: 2, ..Summary::default() };
        assert_eq!(health_of(&unsure), Health::Unknown, "an audit that could not look is not green");
        assert_eq!(tooltip("a.com", &unsure), "Preflight: a.com could not be checked completely");
        assert_ne!(icon_bytes(Health::Down), icon_bytes(Health::Ok), "down and ok must look different");
        assert!(icon_bytes(Health::Ok).starts_with(b"\x89PNG"), "tray icons are PNGs");
    }

    #[test]
    fn menu_ids_round_trip() {
        for a in [MenuAction::Open, MenuAction::RunAudit, MenuAction::Quit] {
            assert_eq!(MenuAction::from_id(a.id()), Some(a));
        }
        assert_eq!(tooltip("a.com", &Summary { fail: 2, ..Summary::default() }), "Preflight: a.com has 2 problems");
    }
}
