//! `cadre-sim serve`: the classroom page on a local web server.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use clap::Args;

use crate::error::InputError;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on. The default is reachable from this computer only; 0.0.0.0 opens
    /// the page to the whole network (e.g. a classroom's), with a warning.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
}

pub fn execute(args: &ServeArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let addr = SocketAddr::new(args.host, args.port);
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            InputError::new(
                "--host/--port",
                format!("cannot listen on {addr}: {e}; choose another port with --port"),
            )
        })?;
        let local = listener.local_addr()?;
        if !args.host.is_loopback() {
            eprintln!(
                "warning: listening on {} — anyone who can reach this computer on the network \
                 can open the page and start runs (each capped in size, {} at a time). Use this \
                 on a classroom network you trust; without --host the page is reachable from \
                 this computer only.",
                args.host,
                crate::serve::MAX_RUNS
            );
        }
        let shown = if args.host.is_unspecified() {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), local.port())
        } else {
            local
        };
        println!("cadre-sim classroom page: http://{shown}/");
        if !args.host.is_loopback() {
            println!(
                "From other computers: http://<this computer's address on the network>:{}/",
                local.port()
            );
        }
        println!("Press Ctrl-C to stop.");
        crate::serve::serve(listener).await?;
        Ok(())
    })
}
