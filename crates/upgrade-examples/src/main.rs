//! `upgrade-server`: a hyper server that decides every request with
//! [`upgrade_negotiate::negotiate`] and speaks what it decided.
//!
//! - a switch to websocket answers the 101 of the decision and echoes text and binary messages
//!   over the upgraded connection (tokio-tungstenite);
//! - a switch to h2c answers the 101 and serves HTTP/2 on the same connection, with the response
//!   to the upgraded request on stream 1 (RFC 7540 section 3.2; see the `h2c` module);
//! - a 426 or 400 sends the status and fields of the decision with a short body; a rejected
//!   request closes the connection;
//! - everything else is an ordinary HTTP/1.1 answer (`GET /page` serves a page whose script
//!   opens a websocket back to this server).
//!
//! Every HTTP/1.x request is decided on its head as received, not as hyper parsed it (see the
//! `heads` module).
//!
//! It listens on 127.0.0.1 only, prints `listening on 127.0.0.1:PORT` on stdout when it is
//! ready, and writes one line per request to stderr: method, path, outcome, reason code and
//! protocol.

mod conn;
mod decide;
mod h2c;
mod io;
mod plain;
mod service;
mod websocket;

use std::io::Write as _;
use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use tokio::net::TcpListener;

use crate::decide::{Negotiator, Offer, Prefer};

/// Errors that end a connection or the server; each is reported on stderr.
pub(crate) use upgrade_examples::BoxError;

/// Serves HTTP on 127.0.0.1 and decides every request's Upgrade with upgrade-negotiate.
#[derive(Parser, Debug)]
#[command(name = "upgrade-server", version)]
struct Args {
    /// The port to listen on, on 127.0.0.1 (0: pick a free port; the port is printed).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// A protocol to offer, in the server's order of preference (repeatable).
    /// Default: websocket, then h2c.
    #[arg(long = "offer", value_enum, value_name = "PROTOCOL")]
    offers: Vec<Offer>,
    /// Whose order of preference picks among the protocols both sides speak.
    #[arg(long, value_enum, default_value_t = Prefer::Client)]
    prefer: Prefer,
    /// Require an upgrade: where the decision would carry on over HTTP/1.1, answer
    /// 426 Upgrade Required listing the offers.
    #[arg(long)]
    require: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("upgrade-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), BoxError> {
    let offers = if args.offers.is_empty() {
        vec![Offer::Websocket, Offer::H2c]
    } else {
        args.offers.clone()
    };
    let negotiator = Arc::new(Negotiator::new(&offers, args.prefer, args.require)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(args.port, negotiator))
}

/// Binds 127.0.0.1:`port`, says so on stdout, and serves every connection in its own task.
async fn serve(port: u16, negotiator: Arc<Negotiator>) -> Result<(), BoxError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
    let address = listener.local_addr()?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on {address}")?;
        stdout.flush()?;
    }
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(conn::serve(stream, Arc::clone(&negotiator)));
            }
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                eprintln!("accept: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}
