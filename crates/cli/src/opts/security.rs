//! `--security-opt`: seccomp, no-new-privileges, SELinux labels, AppArmor,
//! masked and unmasked paths; parsed by the runtime
//! ([`berth_runtime::parse_security_opts`]).

use crate::error::Result;
pub use berth_runtime::{Seccomp, SecurityOptions};

/// Parses every `--security-opt` value.
pub fn parse_security_opts(values: &[String]) -> Result<SecurityOptions> {
    Ok(berth_runtime::parse_security_opts(
        "--security-opt",
        values,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_flag() {
        let e = parse_security_opts(&["selinux".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--security-opt") && e.contains("selinux"), "{e}");
        assert_eq!(
            parse_security_opts(&["seccomp=unconfined".into()])
                .unwrap()
                .seccomp,
            Seccomp::Unconfined
        );
    }
}
