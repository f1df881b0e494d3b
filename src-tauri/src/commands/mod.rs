//! Tauri commands: parse the arguments, call a crate, map the error. No check logic lives here.

pub mod audit;
pub mod history;
pub mod settings;
