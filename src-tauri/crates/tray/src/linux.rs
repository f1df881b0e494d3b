//! The tray-only process on Linux: GTK's main loop with an appindicator icon (tray-icon), the
//! watcher on a tokio runtime beside it, and a 250 ms tick that applies what either side sent.

use preflight_core::net::Overrides;
use preflight_flow::tray_model::{icon_bytes, look, menu_model, MenuAction, MenuEntry, TrayModel};
use preflight_flow::{Flow, Host};
use preflight_watch::{references_from, wall_ms, Event, SystemClock, Watcher};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tray_icon::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tray_icon::{Icon, TrayIcon, TrayIconBuilder};

/// The file the app reads to stop this process when it opens.
pub const PID_FILE: &str = "tray.pid";

struct TrayHost {
    data_dir: Option<PathBuf>,
}

impl Host for TrayHost {
    fn data_dir(&self) -> Option<PathBuf> {
        self.data_dir.clone()
    }
}

/// What the watcher side tells the GTK side.
enum Tick {
    Changed,
    Stop,
}

/// How the main loop ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Exit {
    Quit,
    Open,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn icon(model: &TrayModel) -> Option<Icon> {
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

fn menu(model: &TrayModel) -> Menu {
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

fn render(tray: &TrayIcon, model: &TrayModel) {
    tray.set_menu(Some(Box::new(menu(model))));
    if let Some(i) = icon(model) {
        let _ = tray.set_icon(Some(i));
    }
    let _ = tray.set_tooltip(Some(look(model).1));
}

fn snapshot(watcher: &Mutex<Option<Watcher>>, flow: &Flow) -> TrayModel {
    let prefs = flow.watch_prefs();
    let states = watcher.lock().ok().and_then(|w| w.as_ref().map(Watcher::states)).unwrap_or_default();
    TrayModel {
        monitors: states.into_iter().map(|(_, name, s)| (name, s)).collect(),
        paused: prefs.paused,
        muted: prefs.muted_until_ms.is_some_and(|u| u > wall_ms()),
        ..TrayModel::default()
    }
}

fn notify(title: &str, body: &str) {
    let shown = notify_rust::Notification::new().appname("Preflight").summary(title).body(body).show();
    if let Err(e) = shown {
        tracing::warn!(error = %e, "notification not shown");
    }
}

async fn forward(mut events: tokio::sync::mpsc::UnboundedReceiver<Event>, tick: Sender<Tick>) {
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    let Ok(mut term) = term else { return };
    loop {
        tokio::select! {
            _ = term.recv() => {
                let _ = tick.send(Tick::Stop);
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
                Some(Event::Changed { .. } | Event::Network { .. }) => {
                    let _ = tick.send(Tick::Changed);
                }
                Some(_) => {}
            }
        }
    }
}

fn act(action: MenuAction, watcher: &Mutex<Option<Watcher>>, flow: &Flow) -> Option<Exit> {
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

enum LockError {
    Held,
    Io(std::io::Error),
}

/// Takes the data folder's tray lock, or says another tray holds it.
fn hold_lock(dir: &std::path::Path) -> Result<std::fs::File, LockError> {
    preflight_store::files::private_dir(dir).map_err(LockError::Io)?;
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(dir.join(LOCK_FILE)).map_err(LockError::Io)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(LockError::Held),
        Err(std::fs::TryLockError::Error(e)) => Err(LockError::Io(e)),
    }
}

pub fn run() -> ExitCode {
    // A tray needs no OpenGL; without this GDK loads Mesa (and LLVM) at start: 61 → 27 MiB PSS.
    if std::env::var_os("GDK_GL").is_none() {
        std::env::set_var("GDK_GL", "disable");
    }
    preflight_store::files::private_by_default();
    let data_dir = env("PREFLIGHT_DATA_DIR").map(PathBuf::from).or_else(preflight_store::default_dir);
    // One tray at a time: the lock is the operating system's, so it goes with the process however
    // it ends (a crash or SIGKILL included), and a second start finds it held and leaves.
    let _lock = match data_dir.as_deref().map(hold_lock) {
        Some(Ok(lock)) => Some(lock),
        Some(Err(LockError::Held)) => {
            eprintln!("preflight-tray: another preflight-tray is already watching from this data folder");
            return ExitCode::SUCCESS;
        }
        Some(Err(LockError::Io(e))) => {
            eprintln!("preflight-tray: the lock in the data folder could not be taken: {e}");
            return ExitCode::from(3);
        }
        None => None,
    };
    let net = Overrides::from_lists(
        env("PREFLIGHT_NAMESERVER").as_deref(),
        env("PREFLIGHT_CA_FILE").as_deref(),
        env("PREFLIGHT_CONNECT_TO").as_deref(),
    )
    .with_rdap(env("PREFLIGHT_RDAP_URL").as_deref())
    .with_provider_apis(env("PREFLIGHT_CLOUDFLARE_API").as_deref(), env("PREFLIGHT_VERCEL_API").as_deref())
    .into_config();
    let flow = Arc::new(Flow::new(Arc::new(TrayHost { data_dir: data_dir.clone() }), net));
    let monitors = match flow.stored_monitors(None) {
        Ok(m) if !m.is_empty() => m,
        Ok(_) => return ExitCode::SUCCESS, // nothing to watch: no tray needed
        Err(e) => {
            eprintln!("preflight-tray: {e}");
            return ExitCode::from(3);
        }
    };
    if gtk::init().is_err() {
        eprintln!("preflight-tray: no display to show a tray on");
        return ExitCode::from(3);
    }
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("preflight-tray: {e}");
            return ExitCode::from(3);
        }
    };
    let pid_file = data_dir.as_ref().map(|d| d.join(PID_FILE));
    let prefs = flow.watch_prefs();
    let started = rt.block_on(flow.watch(
        monitors,
        references_from(env("PREFLIGHT_WATCH_REFERENCES").as_deref()),
        |_| {},
        Arc::new(SystemClock),
        true,
    ));
    let (watcher, events) = match started {
        Ok(w) => w,
        Err(e) => {
            eprintln!("preflight-tray: the watcher could not start: {e}");
            return ExitCode::from(3);
        }
    };
    watcher.pause_all(prefs.paused);
    if let Some(until) = prefs.muted_until_ms.filter(|u| *u > wall_ms()) {
        watcher.mute_for(until - wall_ms());
    }
    let watcher = Arc::new(Mutex::new(Some(watcher)));
    let (tick, ticks): (Sender<Tick>, Receiver<Tick>) = channel();
    rt.spawn(forward(events, tick));

    let model = snapshot(&watcher, &flow);
    let tray = TrayIconBuilder::new().with_menu(Box::new(menu(&model))).with_tooltip(look(&model).1);
    let tray = match icon(&model) {
        Some(i) => tray.with_icon(i),
        None => tray,
    }
    .build();
    let tray = match tray {
        Ok(t) => t,
        Err(e) => {
            eprintln!("preflight-tray: the tray icon could not be shown: {e}");
            return ExitCode::from(3);
        }
    };
    // Written once the tray is up, so the app only ever finds a pid that is really watching.
    if let Some(f) = &pid_file {
        // Whole or not at all, and private: the app reads it to decide whom to stop.
        if let Err(e) = preflight_store::files::replace(f, std::process::id().to_string().as_bytes()) {
            eprintln!("preflight-tray: {} could not be written: {e}", f.display());
        }
    }
    let exit = Arc::new(Mutex::new(Exit::Quit));
    {
        let (watcher, flow, exit) = (watcher.clone(), flow.clone(), exit.clone());
        let mut shown = model;
        gtk::glib::timeout_add_local(Duration::from_millis(250), move || {
            let mut dirty = false;
            while let Ok(t) = ticks.try_recv() {
                match t {
                    Tick::Changed => dirty = true,
                    Tick::Stop => {
                        gtk::main_quit();
                        return gtk::glib::ControlFlow::Break;
                    }
                }
            }
            while let Ok(ev) = MenuEvent::receiver().try_recv() {
                if let Some(action) = MenuAction::from_id(ev.id.as_ref()) {
                    if let Some(how) = act(action, &watcher, &flow) {
                        if let Ok(mut e) = exit.lock() {
                            *e = how;
                        }
                        gtk::main_quit();
                        return gtk::glib::ControlFlow::Break;
                    }
                    dirty = true;
                }
            }
            if dirty {
                let now = snapshot(&watcher, &flow);
                if now != shown {
                    render(&tray, &now);
                    shown = now;
                }
            }
            gtk::glib::ControlFlow::Continue
        });
    }
    gtk::main();

    // Stop probing before anything else runs the watcher; write what is queued.
    if let Ok(mut w) = watcher.lock() {
        let _guard = rt.enter();
        w.take();
    }
    if let Ok(store) = flow.store() {
        let _ = store.flush();
    }
    if let Some(f) = &pid_file {
        let _ = std::fs::remove_file(f);
    }
    let how = exit.lock().map(|e| *e).unwrap_or(Exit::Quit);
    if how == Exit::Open {
        let app = std::env::current_exe().ok().and_then(|p| p.parent().map(|d| d.join("preflight-desktop")));
        match app.map(|a| std::process::Command::new(a).spawn()) {
            Some(Ok(_)) => {}
            _ => eprintln!("preflight-tray: the Preflight app could not be started"),
        }
    }
    ExitCode::SUCCESS
}
