//! Host processes named safely: a pid alone may name another process once the first one
//! ends and the kernel hands the number out again, so berth keeps each pid with its start
//! time (`/proc/PID/stat` field 22) and signals through a pidfd opened only while the pid
//! still names the process that started then.

use std::os::fd::OwnedFd;

use berth_state::ContainerRecord;

/// What `/proc/PID/stat` says about a live process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ProcStat {
    /// Field 3: `R`, `S`, `Z`, ...
    pub state: char,
    /// Field 22: clock ticks after boot.
    pub start_time: u64,
}

/// Reads `/proc/PID/stat`; `None` when there is no such process.
pub(crate) fn proc_stat(pid: u32) -> Option<ProcStat> {
    if pid == 0 {
        return None;
    }
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&text)
}

/// Parses a `/proc/PID/stat` line. The command (field 2) is in parentheses and may hold
/// spaces and parentheses itself, so the fields are counted from its last `)`.
pub(crate) fn parse_stat(text: &str) -> Option<ProcStat> {
    let (_, rest) = text.rsplit_once(')')?;
    let mut fields = rest.split_ascii_whitespace();
    let state = fields.next()?.chars().next()?;
    // Fields 4..=21 come between the state and the start time.
    let start_time = fields.nth(18)?.parse().ok()?;
    Some(ProcStat { state, start_time })
}

/// Whether `pid` is a live process (not a zombie) that started at `start_time` (`0`: not
/// recorded, any start time matches).
pub(crate) fn is_same_live_process(pid: u32, start_time: u64) -> bool {
    proc_stat(pid)
        .is_some_and(|s| s.state != 'Z' && (start_time == 0 || s.start_time == start_time))
}

/// A pidfd on one process: signals sent through it reach that process or nobody, even if
/// its pid is reused after it ends.
#[derive(Debug)]
pub struct ProcessHandle {
    fd: OwnedFd,
    pid: u32,
}

impl ProcessHandle {
    /// Opens `pid` if it is still the live process that started at `start_time` (`0`: not
    /// recorded, any). `None` when it is gone or the pid now names another process.
    pub fn open(pid: u32, start_time: u64) -> Option<Self> {
        let raw = i32::try_from(pid).ok()?;
        let fd = rustix::process::pidfd_open(
            rustix::process::Pid::from_raw(raw)?,
            rustix::process::PidfdFlags::empty(),
        )
        .ok()?;
        // The pidfd now holds on to whatever process has the pid; check it is ours.
        is_same_live_process(pid, start_time).then_some(Self { fd, pid })
    }

    /// The handle of a running container's first process, as its record names it.
    pub fn of_container(rec: &ContainerRecord) -> Option<Self> {
        if !rec.state.status.is_active() {
            return None;
        }
        Self::open(rec.state.pid, rec.state.pid_start_time)
    }

    /// The process id (as seen from the host).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Sends `signal` (a signal number); an error when the process has ended or the number
    /// names no signal.
    pub fn signal(&self, signal: i32) -> std::io::Result<()> {
        let sig = rustix::process::Signal::from_named_raw(signal).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{signal} is not a signal that can be sent"),
            )
        })?;
        rustix::process::pidfd_send_signal(&self.fd, sig).map_err(Into::into)
    }

    /// The pidfd, readable once the process has ended.
    pub(crate) fn fd(&self) -> &OwnedFd {
        &self.fd
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_from_the_last_parenthesis() {
        let line = "4242 (a b) c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 \
                    987654 1000 100 18446744073709551615";
        let s = parse_stat(line).unwrap();
        assert_eq!(s.state, 'S');
        assert_eq!(s.start_time, 987_654);
        assert!(parse_stat("12 (x) S 1 2").is_none());
    }

    #[test]
    fn this_process_is_alive_only_with_its_own_start_time() {
        let me = std::process::id();
        let st = proc_stat(me).unwrap();
        assert!(is_same_live_process(me, st.start_time));
        assert!(is_same_live_process(me, 0));
        assert!(!is_same_live_process(me, st.start_time + 1));
        assert!(ProcessHandle::open(me, st.start_time + 1).is_none());
        assert!(ProcessHandle::open(me, st.start_time).is_some());
    }

    #[test]
    fn a_handle_signals_its_process_and_nothing_else() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("sleep(1) is needed");
        let pid = child.id();
        let start = proc_stat(pid).unwrap().start_time;
        // A record with the wrong start time: the pid belongs to someone else now.
        assert!(ProcessHandle::open(pid, start + 7).is_none());
        assert!(child.try_wait().unwrap().is_none(), "no signal was sent");
        let h = ProcessHandle::open(pid, start).unwrap();
        assert_eq!(h.pid(), pid);
        h.signal(libc::SIGTERM).unwrap();
        let status = child.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(libc::SIGTERM));
        // Ended and reaped: the handle reaches nobody.
        assert!(h.signal(libc::SIGTERM).is_err());
    }
}
