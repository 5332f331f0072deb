//! `northstar serve`: the site from memory on loopback, rebuilt on every
//! edit, open pages reloaded (see [`crate::serve`]).

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port to listen on; 0 picks a free one (printed).
    #[arg(long, default_value_t = 4000)]
    pub port: u16,
    /// Address to listen on. The default, 127.0.0.1, keeps the plans on
    /// this machine; another address shows them to the network.
    #[arg(long, value_name = "ADDR", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
}

/// Runs `serve`: returns only when it cannot run.
pub(super) fn run(dir: &Path, args: Args) -> Result<u8, String> {
    crate::serve::run(
        dir,
        crate::serve::Options {
            port: args.port,
            bind: args.bind,
            open: args.open,
            overrides: super::build::overrides,
        },
    )
}
