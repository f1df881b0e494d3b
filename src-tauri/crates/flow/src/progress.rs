//! Progress in batches: whatever arrives within one window goes to the host as one call, so a
//! burst of fast checks costs one IPC message and one UI update instead of dozens.

use crate::host::Host;
use preflight_core::Progress;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

/// How long progress is gathered before it is handed on.
pub const BATCH_WINDOW: Duration = Duration::from_millis(50);

/// Forwards `rx` to `host` in batches until the sender is dropped.
pub async fn forward(host: Arc<dyn Host>, domain: String, mut rx: UnboundedReceiver<Progress>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        let window = tokio::time::sleep(BATCH_WINDOW);
        tokio::pin!(window);
        loop {
            tokio::select! {
                next = rx.recv() => match next {
                    Some(p) => batch.push(p),
                    None => break,
                },
                () = &mut window => break,
            }
        }
        host.progress(&domain, batch);
    }
}
