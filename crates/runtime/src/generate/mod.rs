//! Generated artifacts about existing objects: systemd units ([`systemd`]).

pub mod systemd;
