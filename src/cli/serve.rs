//! `cadre-sim serve`: the classroom page on a local web server; with `--class`, the class
//! game (students play cadres on their phones, see `serve::class`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::path::PathBuf;

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
    /// Serve the class game instead of the classroom page: students join on their phones and
    /// play cadres; the trainer's screen needs the token printed here.
    #[arg(long)]
    pub class: bool,
    /// The class game's first regime and world: a built-in scenario (`cadre-sim scenarios`).
    #[arg(long, default_value = "strict_accountability", requires = "class")]
    pub scenario: String,
    /// The class game's seed.
    #[arg(long, default_value_t = 20230401, requires = "class")]
    pub seed: u64,
    /// Seconds students have to answer in a round (5–600; the trainer can change it).
    #[arg(long, default_value_t = 45, requires = "class")]
    pub timer: u32,
    /// The address students open, for the join screen and its QR code (default: this
    /// computer's network address and the port).
    #[arg(long, requires = "class")]
    pub join_url: Option<String>,
    /// The class's folder: its record (every move, so that `--resume` can continue the
    /// class), decisions.csv and debrief.json, written as the class goes. Default: a new
    /// folder class-<date>-<time> here.
    #[arg(long, requires = "class", conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    /// Continue the class saved in this folder after a restart: the same trainer's
    /// address, students keep their seats, rounds go on.
    #[arg(long, requires = "class")]
    pub resume: Option<PathBuf>,
    /// Addresses of other computers whose browser may use the trainer's controls
    /// (comma-separated). By default only this computer's.
    #[arg(long, requires = "class", value_delimiter = ',')]
    pub trainer_from: Vec<IpAddr>,
    /// Seats one network address may take (a shared computer in a lab seats several).
    #[arg(long, requires = "class", default_value_t = crate::serve::class::SEATS_PER_ADDRESS)]
    pub seats_per_address: u32,
}

pub fn execute(args: &ServeArgs) -> anyhow::Result<()> {
    if args.class {
        let range = crate::serve::class::TIMER_MIN..=crate::serve::class::TIMER_MAX;
        if !range.contains(&args.timer) {
            return Err(InputError::new(
                "--timer",
                format!(
                    "`{}` is out of range: it must be a whole number of seconds in [{}, {}]",
                    args.timer,
                    range.start(),
                    range.end()
                ),
            )
            .into());
        }
    }
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
            let what = if args.class {
                "join the class game (the trainer's controls need the token below)".to_string()
            } else {
                format!(
                    "open the page and start runs (each capped in size, {} at a time)",
                    crate::serve::MAX_RUNS
                )
            };
            eprintln!(
                "warning: listening on {} — anyone who can reach this computer on the network \
                 can {what}. Use this on a classroom network you trust; without --host the \
                 page is reachable from this computer only.",
                args.host,
            );
        }
        let shown = if args.host.is_unspecified() {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), local.port())
        } else {
            local
        };
        if args.class {
            return serve_class(args, listener, shown).await;
        }
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

/// The class game: prints the students' address and the trainer's (with its token, in the
/// part after `#`, which browsers never send to a server), then serves.
async fn serve_class(
    args: &ServeArgs,
    listener: tokio::net::TcpListener,
    shown: SocketAddr,
) -> anyhow::Result<()> {
    let join_url = match &args.join_url {
        Some(url) => url.clone(),
        None => {
            let host = if args.host.is_unspecified() {
                network_address().unwrap_or(shown.ip())
            } else {
                shown.ip()
            };
            format!("http://{}/", SocketAddr::new(host, shown.port()))
        }
    };
    let (out, resume) = match (&args.resume, &args.out) {
        (Some(dir), _) => (dir.clone(), true),
        (None, Some(dir)) => (dir.clone(), false),
        (None, None) => (PathBuf::from(default_folder()), false),
    };
    let config = crate::serve::class::ClassConfig {
        scenario: args.scenario.clone(),
        seed: args.seed,
        timer_s: args.timer,
        join_url: join_url.clone(),
        trainer_token: crate::serve::class::trainer_token(),
        out: Some(out.clone()),
        resume,
        trainer_from: args.trainer_from.clone(),
        seats_per_address: args.seats_per_address,
        ..Default::default()
    };
    let limits = config.limits;
    let app =
        crate::serve::class::router(config).map_err(|(option, m)| InputError::new(option, m))?;
    let token = app.trainer_token.clone();
    println!("cadre-sim class game");
    if resume {
        println!(
            "Continuing the class in {}: {} students, {} rounds played.",
            out.display(),
            app.students,
            app.rounds
        );
    } else {
        println!(
            "Saving the class in {} (continue it after a restart with --resume {}).",
            out.display(),
            out.display()
        );
    }
    println!("Students join at: {join_url}");
    println!("Trainer's screen (keep this address to yourself): http://{shown}/trainer#{token}");
    eprintln!(
        "Do not show this terminal on the projector: the trainer's address above holds the \
         token that controls the game."
    );
    if args.host.is_loopback() {
        println!(
            "Only this computer can join: start with --host 0.0.0.0 for phones on the \
             classroom network."
        );
    }
    println!("Press Ctrl-C to stop.");
    crate::serve::connections::serve(listener, app.router, limits).await?;
    Ok(())
}

/// A new class's folder: class-YYYY-MM-DD-HHMM (UTC), here.
fn default_folder() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "class-{year:04}-{month:02}-{day:02}-{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60
    )
}

/// This computer's address on its network: the local address of a UDP socket "connected"
/// to a documentation address (TEST-NET-1). Connecting a UDP socket sends nothing; it only
/// picks the interface a packet would leave by. None without a network.
fn network_address() -> Option<IpAddr> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    socket.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}
