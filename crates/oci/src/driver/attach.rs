//! The attach socket (SOCK_SEQPACKET, stream-id byte per packet) and the `ctl` FIFO (PROTOCOLS §5).

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;
use std::sync::Arc;

use nix::sys::socket::{
    connect, recv, send, shutdown, socket, AddressFamily, MsgFlags, Shutdown, SockFlag, SockType,
    UnixAddr,
};

use crate::error::{Error, Result};
use crate::runtime::{AttachHandle, AttachIo, WinSize};

/// conmon reads at most this much per input packet.
const MAX_INPUT: usize = 32768;
/// One output packet: the stream byte plus up to 8192 bytes of data.
const MAX_OUTPUT: usize = 8193;

/// Connects to the attach socket at `path` (through `/proc/self/fd` so long paths work).
pub fn connect_socket(path: &Path) -> Result<OwnedFd> {
    let file = nix::fcntl::open(
        path,
        nix::fcntl::OFlag::O_PATH | nix::fcntl::OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )
    .map_err(|e| Error::io("open attach socket", path, e.into()))?;
    let sock = socket(
        AddressFamily::Unix,
        SockType::SeqPacket,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .map_err(|e| Error::io("create socket for", path, e.into()))?;
    let addr = UnixAddr::new(format!("/proc/self/fd/{}", file.as_raw_fd()).as_str())
        .map_err(|e| Error::io("address of", path, e.into()))?;
    connect(sock.as_raw_fd(), &addr)
        .map_err(|e| Error::io("connect to attach socket", path, e.into()))?;
    Ok(sock)
}

/// Streams between `sock` and `io`: output packets to stdout/stderr by stream id, stdin to the
/// socket (then SHUT_WR). The handle's `wait` returns when conmon closes the socket.
pub fn stream(sock: OwnedFd, io: AttachIo) -> AttachHandle {
    let sock = Arc::new(sock);
    let AttachIo {
        stdin,
        mut stdout,
        mut stderr,
        ..
    } = io;
    if let Some(mut input) = stdin {
        let s = Arc::clone(&sock);
        std::thread::spawn(move || {
            let mut buf = vec![0u8; MAX_INPUT];
            loop {
                match input.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if send(s.as_raw_fd(), &buf[..n], MsgFlags::MSG_NOSIGNAL).is_err() {
                            return;
                        }
                    }
                }
            }
            let _ = shutdown(s.as_raw_fd(), Shutdown::Write);
        });
    }
    let keep = Arc::clone(&sock);
    let out = std::thread::spawn(move || -> Result<()> {
        let mut buf = vec![0u8; MAX_OUTPUT];
        loop {
            let n = match recv(sock.as_raw_fd(), &mut buf, MsgFlags::empty()) {
                Ok(0) | Err(nix::errno::Errno::ECONNRESET) => break,
                Ok(n) => n,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => {
                    return Err(Error::Command {
                        command: "read attach socket".into(),
                        source: e.into(),
                    })
                }
            };
            let target: &mut dyn Write = if buf[0] == 3 {
                &mut stderr
            } else {
                &mut stdout
            };
            target
                .write_all(&buf[1..n])
                .and_then(|()| target.flush())
                .map_err(|e| Error::Command {
                    command: "write attach output".into(),
                    source: e,
                })?;
        }
        Ok(())
    });
    AttachHandle::from_socket(out, keep)
}

/// Writes a resize request to conmon's `ctl` FIFO in `dir` (one message per write).
pub fn resize(dir: &Path, size: WinSize) -> Result<()> {
    ctl_message(dir, &format!("1 {} {}\n", size.rows, size.cols))
}

/// Asks conmon to reopen (truncate) the container log.
pub fn reopen_log(dir: &Path) -> Result<()> {
    ctl_message(dir, "2 0 0\n")
}

fn ctl_message(dir: &Path, msg: &str) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = dir.join("ctl");
    let mut last = None;
    for _ in 0..100 {
        match std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&path)
        {
            Ok(mut f) => {
                return f
                    .write_all(msg.as_bytes())
                    .map_err(|e| Error::io("write", &path, e))
            }
            Err(e)
                if e.raw_os_error() == Some(libc::ENXIO)
                    || e.kind() == std::io::ErrorKind::WouldBlock =>
            {
                last = Some(e);
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(Error::io("open", &path, e)),
        }
    }
    Err(Error::io(
        "open",
        &path,
        last.unwrap_or_else(|| std::io::Error::other("no reader")),
    ))
}
