//! What the flow's integration tests share: a host that only lends a data folder.
#![allow(dead_code)]

use preflight_flow::{Finished, Host, Notice, Source};
use std::path::PathBuf;

/// A host whose only part is its data folder.
pub struct Folder(pub PathBuf);

impl Host for Folder {
    fn data_dir(&self) -> Option<PathBuf> {
        Some(self.0.clone())
    }
    fn started(&self, _domain: &str, _source: Source) {}
    fn progress(&self, _domain: &str, _batch: Vec<preflight_core::Progress>) {}
    fn finished(&self, _done: &Finished) {}
    fn notify(&self, _notice: &Notice) {}
}
