//! The accept loop both servers use (the classroom page and the class game): every
//! connection under the same limits, so that slow or idle clients cannot starve the rest.
//!
//! A plain `axum::serve` keeps a connection for as long as the client keeps it open. A
//! script (or a phone on bad Wi-Fi) that sends half a request and trickles the rest holds a
//! file descriptor and memory as long as it likes; a thousand of them use up the process's
//! descriptors (1024 by default on many systems) and every other request times out. Here:
//!
//! - a request's head must arrive within [`Limits::header`] of the connection starting to
//!   wait for it. hyper starts the same clock while a kept-alive connection waits for its
//!   next request, so this is also the idle keep-alive timeout;
//! - a handler, the reading of its body included, must finish within [`Limits::request`]
//!   (else the answer is 408);
//! - at most [`Limits::connections`] connections are open at once, and never more than the
//!   process's descriptor limit allows (less a reserve for files). When full, a new
//!   connection evicts the connection that has waited longest for a request head: a slow
//!   sender or an idle keep-alive, never one whose request is being answered. Real clients
//!   send their request head within milliseconds of connecting, so they get through even
//!   while thousands of slow connections come and go; only when every open connection is
//!   being answered is a new one closed at once.
//!
//! Each request carries its peer's address as axum's [`ConnectInfo`], for the per-address
//! limits and the trainer's address check of the class game.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower_service::Service;

use super::request::{ApiError, Problem};

/// The server's limits on connections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// The longest wait for a request's head (and between requests on a kept-alive
    /// connection).
    pub header: Duration,
    /// The longest a handler may take, reading the request's body included.
    pub request: Duration,
    /// The most connections open at once (lowered to what the descriptor limit allows).
    pub connections: usize,
}

impl Default for Limits {
    /// Phones send a request in milliseconds and poll every second; ten seconds is ample
    /// on classroom Wi-Fi. 2,000 connections is 300 students with a few each, and more.
    fn default() -> Self {
        Limits {
            header: Duration::from_secs(10),
            request: Duration::from_secs(10),
            connections: 2_000,
        }
    }
}

/// Descriptors kept free for everything else the process opens (the listener, the class
/// record, the runtime's own).
const DESCRIPTOR_RESERVE: usize = 64;

/// The most connections the descriptor limit allows.
pub fn descriptor_cap() -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit only writes the struct it is given.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
            let soft = usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX);
            return soft.saturating_sub(DESCRIPTOR_RESERVE).max(16);
        }
    }
    usize::MAX
}

/// An open connection: since when it has waited for a request head (None while one of its
/// requests is being answered), and how to close it.
struct Conn {
    waiting_since: Option<Instant>,
    close: Arc<Notify>,
}

#[derive(Default)]
struct Table {
    next: u64,
    open: HashMap<u64, Conn>,
}

#[derive(Clone, Default)]
struct Connections(Arc<Mutex<Table>>);

impl Connections {
    fn lock(&self) -> MutexGuard<'_, Table> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Room for a new connection: its id and the signal that closes it; None when every
    /// open connection is being answered.
    fn admit(&self, cap: usize, now: Instant) -> Option<(u64, Arc<Notify>)> {
        let mut table = self.lock();
        if table.open.len() >= cap {
            let oldest = table
                .open
                .iter()
                .filter_map(|(id, c)| c.waiting_since.map(|t| (t, *id)))
                .min()?
                .1;
            if let Some(evicted) = table.open.remove(&oldest) {
                evicted.close.notify_one();
            }
        }
        let id = table.next;
        table.next += 1;
        let close = Arc::new(Notify::new());
        table.open.insert(
            id,
            Conn {
                waiting_since: Some(now),
                close: close.clone(),
            },
        );
        Some((id, close))
    }

    fn mark(&self, id: u64, waiting_since: Option<Instant>) {
        if let Some(c) = self.lock().open.get_mut(&id) {
            c.waiting_since = waiting_since;
        }
    }

    fn remove(&self, id: u64) {
        self.lock().open.remove(&id);
    }
}

/// Serves `router` on `listener` under `limits` until the process ends.
pub async fn serve(listener: TcpListener, router: Router, limits: Limits) -> std::io::Result<()> {
    let cap = limits.connections.min(descriptor_cap()).max(1);
    let connections = Connections::default();
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of descriptors (or a connection reset before it was accepted): wait a
            // moment rather than spin; the limits above make this rare.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let Some((id, close)) = connections.admit(cap, Instant::now()) else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let connections = connections.clone();
        let router = router.clone();
        tokio::spawn(async move {
            let marks = connections.clone();
            let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
                marks.mark(id, None);
                req.extensions_mut().insert(ConnectInfo(peer));
                let answer = router.clone().call(req);
                let marks = marks.clone();
                async move {
                    let response = match tokio::time::timeout(limits.request, answer).await {
                        Ok(Ok(response)) => response,
                        Ok(Err(never)) => match never {},
                        Err(_) => too_slow(limits.request),
                    };
                    marks.mark(id, Some(Instant::now()));
                    Ok::<_, Infallible>(response)
                }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header)
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = close.notified() => {}
            }
            connections.remove(id);
        });
    }
}

/// The answer to a request whose body did not arrive (or whose answer took too long).
fn too_slow(limit: Duration) -> Response {
    ApiError::new(
        Problem::Class("request_timeout"),
        format!(
            "the request was not received and answered within {} s",
            limit.as_secs()
        ),
    )
    .with_status(StatusCode::REQUEST_TIMEOUT)
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_table_evicts_the_longest_waiting_never_one_being_answered() {
        let c = Connections::default();
        let t0 = Instant::now();
        let (a, _) = c.admit(2, t0).unwrap();
        let (b, close_b) = c.admit(2, t0 + Duration::from_millis(1)).unwrap();
        c.mark(a, None);
        // Full: b has waited longest (a is being answered), so b goes.
        let (_, _) = c.admit(2, t0 + Duration::from_millis(2)).unwrap();
        assert!(!c.lock().open.contains_key(&b));
        assert!(c.lock().open.contains_key(&a));
        drop(close_b);
        // Full again, every connection being answered: the new one is refused.
        let ids: Vec<u64> = c.lock().open.keys().copied().collect();
        for id in ids {
            c.mark(id, None);
        }
        assert!(c.admit(2, t0 + Duration::from_millis(3)).is_none());
        assert_eq!(c.lock().open.len(), 2);
    }

    #[test]
    fn the_descriptor_limit_bounds_the_connections() {
        let cap = descriptor_cap();
        assert!(cap >= 16);
    }
}
