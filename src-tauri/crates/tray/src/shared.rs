//! What the tray-only process does on every system: the lock and the pid file, the flow and its
//! watcher, the menu and the icon from the shared tray model, notifications, the menu's actions,
//! and the way out (flush the history, hand over to the app). Only the main loop differs: GTK on
//! Linux (`linux.rs`), tao's on macOS and Windows (`native.rs`).

use preflight_core::net::Overrides;
use preflight_flow::tray_model::{icon_bytes, look, menu_model, MenuAction, MenuEntry, TrayModel};
use preflight_flow::{Flow, Host};
use preflight_watch::{references_from, wall_ms, Event, SystemClock, Watcher};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio::sync::mpsc::UnboundedReceiver;
use tray_icon::menu::{Menu, MenuItem, PredefinedMenuItem};
use tray_icon::{Icon, TrayIcon, TrayIconBuilder};

/// The file the app reads to stop this process when it opens.
pub const PID_FILE: &str = "tray.pid";
/// The file the app writes to stop this process where there is no SIGTERM (Windows).
pub const STOP_FILE: &str = "tray.stop";

/// Where the app asks this process to stop on systems without SIGTERM.
pub fn stop_file(s: &Started) -> Option<PathBuf> {
    s.data_dir.as_ref().map(|d| d.join(STOP_FILE))
}

pub struct TrayHost {
    data_dir: Option<PathBuf>,
}

impl Host for TrayHost {
    fn data_dir(&self) -> Option<PathBuf> {
        self.data_dir.clone()
    }
}

/// What the watcher side tells the GTK side.
pub enum Tick {
    Changed,
    Stop,
}

/// How the main loop ended.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Quit,
    Open,
}

pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

pub fn icon(model: &TrayModel) -> Option<Icon> {
    let (health, _) = look(model);
    let mut decoder = png::Decoder::new(std::io::Cursor::new(icon_bytes(health)));
    // 8 bits per channel whatever the file holds (the icons are 16-bit).
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf.chunks(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
        png::ColorType::GrayscaleAlpha => buf.chunks(2).flat_map(|p| [p[0], p[0], p[0], p[1]]).collect(),
        _ => return None,
    };
    Icon::from_rgba(rgba, info.width, info.height).ok()
}

pub fn menu(model: &TrayModel) -> Menu {
    let menu = Menu::new();
    for (i, e) in menu_model(model).into_iter().enumerate() {
        let added = match e {
            MenuEntry::Item { action, label, enabled } => menu.append(&MenuItem::with_id(action.id(), label, enabled, None)),
            MenuEntry::Info(label) => menu.append(&MenuItem::with_id(format!("info_{i}"), label, false, None)),
            MenuEntry::Separator => menu.append(&PredefinedMenuItem::separator()),
        };
        if let Err(e) = added {
            tracing::warn!(error = %e, "a tray menu item was not added");
        }
    }
    menu
}

pub fn render(tray: &TrayIcon, model: &TrayModel) {
    tray.set_menu(Some(Box::new(menu(model))));
    if let Some(i) = icon(model) {
        let _ = tray.set_icon(Some(i));
    }
    let _ = tray.set_tooltip(Some(look(model).1));
}

pub fn snapshot(watcher: &Mutex<Option<Watcher>>, flow: &Flow) -> TrayModel {
    let prefs = flow.watch_prefs();
    let states = watcher.lock().ok().and_then(|w| w.as_ref().map(Watcher::states)).unwrap_or_default();
    TrayModel {
        monitors: states.into_iter().map(|(_, name, s)| (name, s)).collect(),
        paused: prefs.paused,
        muted: prefs.muted_until_ms.is_some_and(|u| u > wall_ms()),
        ..TrayModel::default()
    }
}

pub fn notify(title: &str, body: &str) {
    let shown = notify_rust::Notification::new().appname("Preflight").summary(title).body(body).show();
    if let Err(e) = shown {
        tracing::warn!(error = %e, "notification not shown");
    }
}

/// The app's request to stop: SIGTERM where there are signals; on Windows, the stop file the app
/// writes in the data folder (see `STOP_FILE`).
#[cfg(unix)]
async fn stop_requested(_stop_file: Option<PathBuf>) {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut term) => {
            term.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn stop_requested(stop_file: Option<PathBuf>) {
    let Some(file) = stop_file else { return std::future::pending().await };
    while !file.exists() {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let _ = std::fs::remove_file(&file);
}

/// Forwards the watcher's events: notifications shown here, state changes as ticks for the loop.
pub async fn forward(mut events: tokio::sync::mpsc::UnboundedReceiver<Event>, tick: impl Fn(Tick) + Send, stop_file: Option<PathBuf>) {
    let stop = stop_requested(stop_file);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => {
                tick(Tick::Stop);
                return;
            }
            e = events.recv() => match e {
                None => return,
                Some(Event::Notice(n)) => {
                    let _ = tokio::task::spawn_blocking(move || notify(&n.title, &n.body)).await;
                }
                Some(Event::ChannelFailed { channel, error, .. }) => {
                    let _ = tokio::task::spawn_blocking(move || notify(&format!("An alert did not reach \"{channel}\""), &error)).await;
                }
                Some(Event::Changed { .. } | Event::Network { .. }) => tick(Tick::Changed),
                Some(_) => {}
            }
        }
    }
}

pub fn act(action: MenuAction, watcher: &Mutex<Option<Watcher>>, flow: &Flow) -> Option<Exit> {
    let with = |f: &dyn Fn(&Watcher)| {
        if let Ok(w) = watcher.lock() {
            if let Some(w) = w.as_ref() {
                f(w);
            }
        }
    };
    let save = |change: &dyn Fn(&mut preflight_flow::WatchPrefs)| {
        if let Err(e) = flow.update_watch_prefs(change) {
            tracing::warn!(error = %e, "the tray's choice was not saved");
        }
    };
    match action {
        MenuAction::Open | MenuAction::RunAudit => return Some(Exit::Open),
        MenuAction::Quit => return Some(Exit::Quit),
        MenuAction::Mute(h) => {
            let ms = u64::from(h) * 3_600_000;
            with(&|w| w.mute_for(ms));
            save(&|p| p.muted_until_ms = Some(wall_ms() + ms));
        }
        MenuAction::Unmute => {
            with(&|w| w.mute_for(0));
            save(&|p| p.muted_until_ms = None);
        }
        MenuAction::Pause | MenuAction::Resume => {
            let paused = action == MenuAction::Pause;
            with(&|w| w.pause_all(paused));
            save(&|p| p.paused = paused);
        }
    }
    None
}

/// The file a running tray holds locked, in the data folder.
pub const LOCK_FILE: &str = "tray.lock";

pub enum LockError {
    Held,
    Io(std::io::Error),
}

/// Takes the data folder's tray lock, or says another tray holds it.
pub fn hold_lock(dir: &std::path::Path) -> Result<std::fs::File, LockError> {
    preflight_store::files::private_dir(dir).map_err(LockError::Io)?;
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(dir.join(LOCK_FILE)).map_err(LockError::Io)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(LockError::Held),
        Err(std::fs::TryLockError::Error(e)) => Err(LockError::Io(e)),
    }
}

/// Everything the loop needs once the process may watch: the lock held, the watcher running.
#[allow(missing_debug_implementations)]
pub struct Started {
    pub _lock: Option<std::fs::File>,
    pub rt: Runtime,
    pub flow: Arc<Flow>,
    pub watcher: Arc<Mutex<Option<Watcher>>>,
    pub data_dir: Option<PathBuf>,
}

/// Takes the lock, opens the flow and starts the watcher over the saved monitors (with its events);
/// `Err` is the exit code (0 when there is nothing to do: another tray watches, or nothing is watched).
pub fn start() -> Result<(Started, UnboundedReceiver<Event>), ExitCode> {
    preflight_store::files::private_by_default();
    let data_dir = env("PREFLIGHT_DATA_DIR").map(PathBuf::from).or_else(preflight_store::default_dir);
    // One tray at a time: the lock is the operating system's, so it goes with the process however
    // it ends (a crash or SIGKILL included), and a second start finds it held and leaves.
    let lock = match data_dir.as_deref().map(hold_lock) {
        Some(Ok(lock)) => Some(lock),
        Some(Err(LockError::Held)) => {
            eprintln!("preflight-tray: another preflight-tray is already watching from this data folder");
            return Err(ExitCode::SUCCESS);
        }
        Some(Err(LockError::Io(e))) => {
            eprintln!("preflight-tray: the lock in the data folder could not be taken: {e}");
            return Err(ExitCode::from(3));
        }
        None => None,
    };
    let net = Overrides::from_env().into_config();
    let flow = Arc::new(Flow::new(Arc::new(TrayHost { data_dir: data_dir.clone() }), net));
    let monitors = match flow.stored_monitors(None) {
        Ok(m) if !m.is_empty() => m,
        Ok(_) => return Err(ExitCode::SUCCESS), // nothing to watch: no tray needed
        Err(e) => {
            eprintln!("preflight-tray: {e}");
            return Err(ExitCode::from(3));
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| {
        eprintln!("preflight-tray: {e}");
        ExitCode::from(3)
    })?;
    let prefs = flow.watch_prefs();
    let started = rt.block_on(flow.watch(
        monitors,
        references_from(env("PREFLIGHT_WATCH_REFERENCES").as_deref()),
        |_| {},
        Arc::new(SystemClock),
        true,
    ));
    let (watcher, events) = started.map_err(|e| {
        eprintln!("preflight-tray: the watcher could not start: {e}");
        ExitCode::from(3)
    })?;
    watcher.pause_all(prefs.paused);
    if let Some(until) = prefs.muted_until_ms.filter(|u| *u > wall_ms()) {
        watcher.mute_for(until - wall_ms());
    }
    Ok((Started { _lock: lock, rt, flow, watcher: Arc::new(Mutex::new(Some(watcher))), data_dir }, events))
}

/// The tray icon with its menu, tooltip and icon for `model`.
pub fn build_tray(model: &TrayModel) -> Result<TrayIcon, ExitCode> {
    let tray = TrayIconBuilder::new().with_menu(Box::new(menu(model))).with_tooltip(look(model).1);
    let tray = match icon(model) {
        Some(i) => tray.with_icon(i),
        None => tray,
    };
    tray.build().map_err(|e| {
        eprintln!("preflight-tray: the tray icon could not be shown: {e}");
        ExitCode::from(3)
    })
}

/// Written once the tray is up, so the app only ever finds a pid that is really watching.
pub fn write_pid(s: &Started) {
    if let Some(f) = s.data_dir.as_ref().map(|d| d.join(PID_FILE)) {
        // Whole or not at all, and private: the app reads it to decide whom to stop.
        if let Err(e) = preflight_store::files::replace(&f, std::process::id().to_string().as_bytes()) {
            eprintln!("preflight-tray: {} could not be written: {e}", f.display());
        }
    }
}

/// The way out: stop probing, write what is queued, remove the pid file, and start the app when
/// the founder asked to open it.
pub fn finish(s: &Started, how: Exit) -> ExitCode {
    if let Ok(mut w) = s.watcher.lock() {
        let _guard = s.rt.enter();
        w.take();
    }
    if let Ok(store) = s.flow.store() {
        let _ = store.flush();
    }
    if let Some(dir) = &s.data_dir {
        let _ = std::fs::remove_file(dir.join(PID_FILE));
    }
    if how == Exit::Open {
        let dir = std::env::current_exe().ok().and_then(|p| p.parent().map(std::path::Path::to_path_buf));
        // The app's executable beside this one: its crate's name, or the product's on Windows.
        let names = ["preflight-desktop", "preflight-desktop.exe", "Preflight.exe"];
        let started =
            dir.and_then(|d| names.iter().map(|n| d.join(n)).find(|p| p.is_file())).map(|a| std::process::Command::new(a).spawn());
        match started {
            Some(Ok(_)) => {}
            _ => eprintln!("preflight-tray: the Preflight app could not be started"),
        }
    }
    ExitCode::SUCCESS
}

/// Once a day, whether a newer release is out, said once per version. The app passes its update
/// manifest's address (`PREFLIGHT_UPDATE_URL`) when it hands over; installing stays the app's,
/// which checks the package's signature and asks first.
pub async fn watch_releases(flow: Arc<Flow>) {
    let Some(url) = env("PREFLIGHT_UPDATE_URL").and_then(|u| url::Url::parse(u.trim()).ok()) else { return };
    let mut told: Option<String> = None;
    loop {
        if let Ok(net) = flow.net().await {
            if let Some(v) = newer_release(&net, &url).await.filter(|v| told.as_ref() != Some(v)) {
                let title = format!("Preflight {v} is ready to install");
                let _ =
                    tokio::task::spawn_blocking(move || notify(&title, "Open Preflight from the tray to see what is new and install it."))
                        .await;
                told = Some(v);
            }
        }
        tokio::time::sleep(Duration::from_secs(24 * 3600)).await;
    }
}

/// The manifest's version when it is newer than this build's.
async fn newer_release(net: &preflight_core::Net, url: &url::Url) -> Option<String> {
    let answer = net.fetch_bounded(&preflight_core::net::http::Request::get(url.clone()), 256 * 1024).await.ok()?;
    if answer.status != 200 {
        return None;
    }
    let manifest: serde_json::Value = serde_json::from_slice(&answer.body).ok()?;
    let version = manifest.get("version")?.as_str()?.trim().trim_start_matches('v').to_owned();
    is_newer(&version, env!("CARGO_PKG_VERSION")).then_some(version)
}

/// Whether `a` is a later `MAJOR.MINOR.PATCH` than `b` (a pre-release part is ignored).
pub fn is_newer(a: &str, b: &str) -> bool {
    let parts = |v: &str| -> Option<(u64, u64, u64)> {
        let core = v.split(['-', '+']).next()?;
        let mut n = core.split('.').map(|p| p.parse::<u64>().ok());
        Some((n.next()??, n.next()??, n.next()??))
    };
    matches!((parts(a), parts(b)), (Some(x), Some(y)) if x > y)
}

#[cfg(test)]
mod tests {
    use super::is_newer;

    #[test]
    fn only_a_later_release_is_newer() {
        assert!(is_newer("0.2.0", "0.1.9"));
        assert!(is_newer("1.0.0", "0.99.99"));
        assert!(!is_newer("0.1.0", "0.1.0"));
        assert!(!is_newer("0.1.0", "0.2.0"));
        assert!(!is_newer("latest", "0.1.0"), "not a version");
    }
}
