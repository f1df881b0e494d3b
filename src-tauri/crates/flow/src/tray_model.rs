//! What the tray shows, as plain data: the menu for the current situation and the icon and
//! tooltip for the worst state. Shared by the desktop shell's tray and the tray-only process
//! (`preflight-tray`), and unit-tested, because a headless X server has no tray host to click.

use preflight_core::Summary;
use preflight_watch::{Overall, State};

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
    /// Watching is paused (offline, or by the founder).
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
        Health::Ok => include_bytes!("../../../../icons/tray-ok.png"),
        Health::Degraded => include_bytes!("../../../../icons/tray-degraded.png"),
        Health::Down => include_bytes!("../../../../icons/tray-down.png"),
        Health::Paused | Health::Unknown => include_bytes!("../../../../icons/tray-paused.png"),
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

/// Everything the tray renders.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrayModel {
    pub last_domain: Option<String>,
    pub auditing: bool,
    /// The last audit's icon and tooltip.
    pub audit: Option<(Health, String)>,
    /// Each monitor's name and state, in order.
    pub monitors: Vec<(String, State)>,
    pub paused: bool,
    pub muted: bool,
}

/// A menu item's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuAction {
    Open,
    RunAudit,
    Mute(u8),
    Unmute,
    Pause,
    Resume,
    Quit,
}

impl MenuAction {
    pub const ALL: [MenuAction; 9] = [
        MenuAction::Open,
        MenuAction::RunAudit,
        MenuAction::Mute(1),
        MenuAction::Mute(4),
        MenuAction::Mute(8),
        MenuAction::Unmute,
        MenuAction::Pause,
        MenuAction::Resume,
        MenuAction::Quit,
    ];

    pub fn id(self) -> String {
        match self {
            MenuAction::Open => "open".into(),
            MenuAction::RunAudit => "run_audit".into(),
            MenuAction::Mute(h) => format!("mute_{h}"),
            MenuAction::Unmute => "unmute".into(),
            MenuAction::Pause => "pause".into(),
            MenuAction::Resume => "resume".into(),
            MenuAction::Quit => "quit".into(),
        }
    }

    pub fn from_id(id: &str) -> Option<MenuAction> {
        MenuAction::ALL.into_iter().find(|a| a.id() == id)
    }
}

/// One line of the tray menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuEntry {
    Item {
        action: MenuAction,
        label: String,
        enabled: bool,
    },
    /// A line that only informs (a monitor and its state).
    Info(String),
    Separator,
}

fn state_word(s: State) -> &'static str {
    match s {
        State::Up => "up",
        State::Pending => "failing, checking again",
        State::Down => "DOWN",
        State::Paused => "paused",
    }
}

/// The menu for the current situation.
pub fn menu_model(m: &TrayModel) -> Vec<MenuEntry> {
    let item = |action, label: &str, enabled| MenuEntry::Item { action, label: label.to_owned(), enabled };
    let run_label = match (m.auditing, &m.last_domain) {
        (true, _) => "Audit running…".to_owned(),
        (false, Some(d)) => format!("Run audit of {d}"),
        (false, None) => "Run audit".to_owned(),
    };
    let mut out = vec![item(MenuAction::Open, "Open Preflight", true)];
    out.push(MenuEntry::Item { action: MenuAction::RunAudit, label: run_label, enabled: !m.auditing && m.last_domain.is_some() });
    if !m.monitors.is_empty() {
        out.push(MenuEntry::Separator);
        for (name, state) in m.monitors.iter().take(12) {
            let state = if m.paused { State::Paused } else { *state };
            out.push(MenuEntry::Info(format!("{name}: {}", state_word(state))));
        }
        if m.monitors.len() > 12 {
            out.push(MenuEntry::Info(format!("…and {} more (open Preflight)", m.monitors.len() - 12)));
        }
        out.push(MenuEntry::Separator);
        if m.muted {
            out.push(item(MenuAction::Unmute, "Unmute notifications", true));
        } else {
            out.extend([
                item(MenuAction::Mute(1), "Mute for 1 hour", true),
                item(MenuAction::Mute(4), "Mute for 4 hours", true),
                item(MenuAction::Mute(8), "Mute for 8 hours", true),
            ]);
        }
        out.push(if m.paused {
            item(MenuAction::Resume, "Resume watching", true)
        } else {
            item(MenuAction::Pause, "Pause watching", true)
        });
    }
    out.push(MenuEntry::Separator);
    out.push(item(MenuAction::Quit, "Quit Preflight", true));
    out
}

/// The icon and tooltip: the worst monitor state when there are monitors, else the last audit.
pub fn look(m: &TrayModel) -> (Health, String) {
    if m.monitors.is_empty() {
        return m.audit.clone().unwrap_or((Health::Unknown, "Preflight".to_owned()));
    }
    if m.paused {
        return (Health::Paused, "Preflight: watching is paused".to_owned());
    }
    let overall = preflight_watch::schedule::overall(m.monitors.iter().map(|(_, s)| *s));
    let named = |s: State| m.monitors.iter().filter(|(_, st)| *st == s).map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ");
    match overall {
        Overall::Down => (Health::Down, format!("Preflight: down: {}", named(State::Down))),
        Overall::Paused => (Health::Paused, "Preflight: paused (this computer looks offline)".to_owned()),
        Overall::Degraded => (Health::Degraded, format!("Preflight: failing, checking again: {}", named(State::Pending))),
        Overall::Ok | Overall::Idle => {
            let n = m.monitors.len();
            (Health::Ok, format!("Preflight: {n} monitor{} up", if n == 1 { "" } else { "s" }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actions(m: &TrayModel) -> Vec<MenuAction> {
        menu_model(m)
            .into_iter()
            .filter_map(|e| match e {
                MenuEntry::Item { action, .. } => Some(action),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn run_audit_needs_a_domain_and_no_audit_running() {
        let m = TrayModel::default();
        assert_eq!(actions(&m), vec![MenuAction::Open, MenuAction::RunAudit, MenuAction::Quit]);
        assert!(matches!(&menu_model(&m)[1], MenuEntry::Item { enabled: false, .. }), "nothing to re-run before the first audit");
        let m = TrayModel { last_domain: Some("acme.com".into()), ..TrayModel::default() };
        assert!(matches!(&menu_model(&m)[1], MenuEntry::Item { label, enabled: true, .. } if label == "Run audit of acme.com"));
        let busy = TrayModel { auditing: true, ..m };
        assert!(matches!(&menu_model(&busy)[1], MenuEntry::Item { enabled: false, .. }), "no second audit while one runs");
    }

    #[test]
    fn monitors_list_their_state_and_offer_mute_and_pause() {
        let mut m = TrayModel { monitors: vec![("Home page".into(), State::Up), ("API".into(), State::Down)], ..TrayModel::default() };
        let menu = menu_model(&m);
        assert!(menu.contains(&MenuEntry::Info("API: DOWN".into())), "{menu:?}");
        assert_eq!(
            actions(&m),
            vec![
                MenuAction::Open,
                MenuAction::RunAudit,
                MenuAction::Mute(1),
                MenuAction::Mute(4),
                MenuAction::Mute(8),
                MenuAction::Pause,
                MenuAction::Quit
            ]
        );
        assert_eq!(look(&m), (Health::Down, "Preflight: down: API".to_owned()), "the worst state wins");
        m.muted = true;
        m.paused = true;
        assert!(actions(&m).contains(&MenuAction::Unmute) && actions(&m).contains(&MenuAction::Resume));
        assert_eq!(look(&m).0, Health::Paused);
        assert!(menu_model(&m).contains(&MenuEntry::Info("Home page: paused".into())));
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
        let pending = TrayModel { monitors: vec![("API".into(), State::Pending)], ..TrayModel::default() };
        assert_eq!(look(&pending).0, Health::Degraded);
    }

    #[test]
    fn menu_ids_round_trip() {
        for a in MenuAction::ALL {
            assert_eq!(MenuAction::from_id(&a.id()), Some(a));
        }
        assert_eq!(tooltip("a.com", &Summary { fail: 2, ..Summary::default() }), "Preflight: a.com has 2 problems");
    }
}
