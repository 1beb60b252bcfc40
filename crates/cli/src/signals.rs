//! Signal forwarding for a foreground `run` or `start --attach`: the
//! signals berth receives (SIGINT from Ctrl-C, SIGTERM from a supervisor,
//! ...) are handed to a callback, which sends them on to the container, as
//! podman's `--sig-proxy` does. While a forwarder lives, those signals no
//! longer end berth itself.

use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};
use signal_hook::iterator::{Handle, Signals};
use std::thread::JoinHandle;

/// The signals a foreground run forwards by default.
pub const FORWARDED: &[i32] = &[SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2];

/// Forwards signals to a callback on a background thread until dropped
/// or [`SignalForwarder::stop`]ped.
#[derive(Debug)]
pub struct SignalForwarder {
    handle: Handle,
    thread: Option<JoinHandle<()>>,
}

impl SignalForwarder {
    /// Starts catching `signals` and calling `forward(signal_number)` for
    /// each one received, in order.
    pub fn start<F>(signals: &[i32], mut forward: F) -> std::io::Result<Self>
    where
        F: FnMut(i32) + Send + 'static,
    {
        if let Some(bad) = signals
            .iter()
            .find(|s| signal_hook::consts::FORBIDDEN.contains(s))
        {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("signal {bad} cannot be caught, so it cannot be forwarded"),
            ));
        }
        let mut caught = Signals::new(signals)?;
        let handle = caught.handle();
        let thread = std::thread::Builder::new()
            .name("berth-sig-proxy".into())
            .spawn(move || {
                for signal in caught.forever() {
                    forward(signal);
                }
            })?;
        Ok(Self {
            handle,
            thread: Some(thread),
        })
    }

    /// Stops forwarding and waits for the thread to end. Signals arriving
    /// afterwards are ignored rather than ending berth (the handlers stay
    /// installed, with nothing to call).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.handle.close();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for SignalForwarder {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn forwards_sigint_and_sigterm_in_order() {
        let (tx, rx) = mpsc::channel();
        let fwd = SignalForwarder::start(&[SIGINT, SIGTERM], move |s| {
            let _ = tx.send(s);
        })
        .unwrap();
        signal_hook::low_level::raise(SIGTERM).unwrap();
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), SIGTERM);
        signal_hook::low_level::raise(SIGINT).unwrap();
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), SIGINT);
        fwd.stop();
    }

    #[test]
    fn stop_ends_the_thread_and_forwarding() {
        let (tx, rx) = mpsc::channel();
        let fwd = SignalForwarder::start(&[SIGUSR1], move |s| {
            let _ = tx.send(s);
        })
        .unwrap();
        signal_hook::low_level::raise(SIGUSR1).unwrap();
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), SIGUSR1);
        drop(fwd);
        signal_hook::low_level::raise(SIGUSR1).unwrap();
        assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
    }

    #[test]
    fn forbidden_signals_are_an_error() {
        let e = SignalForwarder::start(&[signal_hook::consts::SIGKILL], |_| {}).unwrap_err();
        assert!(e.to_string().contains("signal 9 cannot be caught"), "{e}");
    }
}
