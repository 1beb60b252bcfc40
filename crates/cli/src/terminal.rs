//! The local terminal for `run -t`, `exec -t`, `attach`: raw mode while
//! attached (restored on drop) and the window size.
#![allow(unsafe_code)] // reason: TIOCGWINSZ has no safe wrapper in nix

use berth_runtime::WinSize;
use nix::sys::termios::{self, SetArg, Termios};
use std::io::IsTerminal;
use std::os::fd::AsFd;

/// Puts stdin in raw mode for as long as it lives (when it is a terminal).
#[derive(Debug)]
pub struct RawMode {
    saved: Option<Termios>,
}

impl RawMode {
    /// Raw mode on stdin if it is a terminal; otherwise does nothing.
    pub fn enter() -> Self {
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            return Self { saved: None };
        }
        let Ok(saved) = termios::tcgetattr(stdin.as_fd()) else {
            return Self { saved: None };
        };
        let mut raw = saved.clone();
        termios::cfmakeraw(&mut raw);
        if termios::tcsetattr(stdin.as_fd(), SetArg::TCSANOW, &raw).is_err() {
            return Self { saved: None };
        }
        Self { saved: Some(saved) }
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        if let Some(t) = &self.saved {
            let _ = termios::tcsetattr(std::io::stdin().as_fd(), SetArg::TCSANOW, t);
        }
    }
}

/// The size of the terminal on stdin (or stdout), if either is one.
pub fn size() -> Option<WinSize> {
    for fd in [libc::STDIN_FILENO, libc::STDOUT_FILENO] {
        let mut ws = libc::winsize {
            ws_row: 0,
            ws_col: 0,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCGWINSZ writes one `winsize` into the struct we own; the fd is one of ours.
        let r = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &raw mut ws) };
        if r == 0 && ws.ws_row > 0 {
            return Some(WinSize {
                rows: ws.ws_row,
                cols: ws.ws_col,
            });
        }
    }
    None
}
