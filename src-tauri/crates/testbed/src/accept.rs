//! The accept loop the testbed's small servers share: each connection in a task of its own, and
//! every one of them ended when the server is dropped.

use std::future::Future;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// Accepts connections on `listener` until `cancel`, each handled by `handle` in its own task,
/// which `cancel` also ends.
pub(crate) fn until_cancelled<F, Fut>(listener: TcpListener, cancel: CancellationToken, handle: F)
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                () = cancel.cancelled() => return,
            };
            let Ok((tcp, _)) = accepted else { continue };
            let (work, stop) = (handle(tcp), cancel.clone());
            tokio::spawn(async move {
                tokio::select! {
                    () = work => {}
                    () = stop.cancelled() => {}
                }
            });
        }
    });
}
