//! The tray-only process on Linux: GTK's main loop with an appindicator icon (tray-icon), the
//! watcher on a tokio runtime beside it, and a 250 ms tick that applies what either side sent.

use crate::shared::{act, build_tray, finish, forward, render, snapshot, start, stop_file, watch_releases, write_pid, Exit, Tick};
use std::process::ExitCode;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tray_icon::menu::MenuEvent;

pub fn run() -> ExitCode {
    // A tray needs no OpenGL; without this GDK loads Mesa (and LLVM) at start: 61 → 27 MiB PSS.
    if std::env::var_os("GDK_GL").is_none() {
        std::env::set_var("GDK_GL", "disable");
    }
    let (s, events) = match start() {
        Ok(started) => started,
        Err(code) => return code,
    };
    if gtk::init().is_err() {
        eprintln!("preflight-tray: no display to show a tray on");
        let _ = finish(&s, Exit::Quit);
        return ExitCode::from(3);
    }
    let (tick, ticks): (Sender<Tick>, Receiver<Tick>) = channel();
    let forwarded = forward(
        events,
        move |t| {
            let _ = tick.send(t);
        },
        stop_file(&s),
    );
    s.rt.spawn(forwarded);
    s.rt.spawn(watch_releases(s.flow.clone()));

    let model = snapshot(&s.watcher, &s.flow);
    let tray = match build_tray(&model) {
        Ok(t) => t,
        Err(code) => return code,
    };
    write_pid(&s);
    let exit = Arc::new(Mutex::new(Exit::Quit));
    {
        let (watcher, flow, exit) = (s.watcher.clone(), s.flow.clone(), exit.clone());
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
                if let Some(action) = preflight_flow::tray_model::MenuAction::from_id(ev.id.as_ref()) {
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
    let how = exit.lock().map(|e| *e).unwrap_or(Exit::Quit);
    finish(&s, how)
}
