//! The HTTP side of `meetty serve` (H3): listening, the bearer check, the 64 kB limit, one log
//! line per request, graceful shutdown on SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use super::{Api, ServeArgs};

/// A running API server.
pub struct Server {
    addr: SocketAddr,
}

impl Server {
    /// Serves `api` on `listener` until [`Server::shutdown`].
    pub async fn start(api: Arc<Api>, listener: TcpListener) -> std::io::Result<Server> {
        todo!("H3 {:?} {:?}", api.accounts.len(), listener.local_addr())
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets the requests in flight finish, then returns.
    pub async fn shutdown(self) {
        todo!("H3")
    }
}

pub async fn run(
    start: &crate::session::Startup,
    demo: bool,
    account: Option<&str>,
    args: &ServeArgs,
) -> Result<(), String> {
    todo!(
        "H3 {} {demo} {account:?} {args:?}",
        start.paths.data_dir.display()
    )
}
