//! The tray-only process on macOS and Windows: tao's event loop (the one Tauri itself runs on, on
//! the main thread as both systems require) with the tray icon created once the loop runs, the
//! watcher on a tokio runtime beside it, menu clicks and watcher ticks arriving as user events, and
//! a 250 ms wake-up that also lets the icon appear on macOS without an unsafe run-loop call.
//! Written for these two systems and reviewed by hand: the machines that test this project build
//! only the Linux loop (docs/release.md).

use crate::shared::{act, build_tray, finish, forward, render, snapshot, start, stop_file, watch_releases, write_pid, Exit, Tick};
use preflight_flow::tray_model::{MenuAction, TrayModel};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use tao::event::{Event, StartCause};
use tao::event_loop::{ControlFlow, EventLoopBuilder};
use tray_icon::menu::MenuEvent;
use tray_icon::TrayIcon;

/// What reaches the loop from elsewhere.
enum UserEvent {
    Menu(MenuEvent),
    Tick(Tick),
}

pub fn run() -> ExitCode {
    let (s, events) = match start() {
        Ok(started) => started,
        Err(code) => return code,
    };
    #[allow(unused_mut)]
    let mut builder = EventLoopBuilder::<UserEvent>::with_user_event();
    #[allow(unused_mut)]
    let mut event_loop = builder.build();
    // A tray-only agent: no Dock icon, no menu bar of its own.
    #[cfg(target_os = "macos")]
    {
        use tao::platform::macos::{ActivationPolicy, EventLoopExtMacOS};
        event_loop.set_activation_policy(ActivationPolicy::Accessory);
    }
    let menu_proxy = event_loop.create_proxy();
    MenuEvent::set_event_handler(Some(move |e| {
        let _ = menu_proxy.send_event(UserEvent::Menu(e));
    }));
    let tick_proxy = event_loop.create_proxy();
    let stop = stop_file(&s);
    s.rt.spawn(forward(
        events,
        move |t| {
            let _ = tick_proxy.send_event(UserEvent::Tick(t));
        },
        stop,
    ));

    s.rt.spawn(watch_releases(s.flow.clone()));
    let mut tray: Option<TrayIcon> = None;
    let mut shown = TrayModel::default();
    event_loop.run(move |event, _, control_flow| {
        *control_flow = ControlFlow::WaitUntil(Instant::now() + Duration::from_millis(250));
        let leave = |how: Exit, control_flow: &mut ControlFlow| {
            let _ = finish(&s, how);
            *control_flow = ControlFlow::Exit;
        };
        match event {
            // The icon is made once the loop runs: made earlier, it may never show on macOS.
            Event::NewEvents(StartCause::Init) => {
                shown = snapshot(&s.watcher, &s.flow);
                match build_tray(&shown) {
                    Ok(t) => {
                        tray = Some(t);
                        write_pid(&s);
                    }
                    Err(_) => leave(Exit::Quit, control_flow),
                }
            }
            Event::UserEvent(UserEvent::Tick(Tick::Stop)) => leave(Exit::Quit, control_flow),
            Event::UserEvent(UserEvent::Tick(Tick::Changed)) => {
                let now = snapshot(&s.watcher, &s.flow);
                if now != shown {
                    if let Some(t) = &tray {
                        render(t, &now);
                    }
                    shown = now;
                }
            }
            Event::UserEvent(UserEvent::Menu(e)) => {
                if let Some(action) = MenuAction::from_id(e.id.as_ref()) {
                    match act(action, &s.watcher, &s.flow) {
                        Some(how) => leave(how, control_flow),
                        None => {
                            let now = snapshot(&s.watcher, &s.flow);
                            if let Some(t) = &tray {
                                render(t, &now);
                            }
                            shown = now;
                        }
                    }
                }
            }
            _ => {}
        }
    })
}
