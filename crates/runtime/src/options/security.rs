//! `--security-opt`: seccomp, no-new-privileges, SELinux labels, AppArmor,
//! masked and unmasked paths.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::InvalidValue;

/// The seccomp profile of a container.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Seccomp {
    /// The configured default profile.
    #[default]
    Default,
    /// `seccomp=unconfined`: no filter.
    Unconfined,
    /// `seccomp=PATH`: a JSON profile on the host.
    Profile(PathBuf),
}

impl Seccomp {
    /// The form the container record keeps: `None`, `"unconfined"` or the profile's path.
    pub(crate) fn to_record(&self) -> Option<String> {
        match self {
            Seccomp::Default => None,
            Seccomp::Unconfined => Some("unconfined".into()),
            Seccomp::Profile(p) => Some(p.to_string_lossy().into_owned()),
        }
    }

    /// The choice a record keeps (see [`Self::to_record`]).
    pub(crate) fn from_record(profile: Option<&str>) -> Self {
        match profile {
            None | Some("") => Seccomp::Default,
            Some("unconfined") => Seccomp::Unconfined,
            Some(p) => Seccomp::Profile(PathBuf::from(p)),
        }
    }
}

/// The parsed `--security-opt` values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityOptions {
    /// The seccomp profile.
    pub seccomp: Seccomp,
    /// `no-new-privileges`.
    pub no_new_privileges: bool,
    /// `label=disable`: no SELinux separation.
    pub label_disabled: bool,
    /// `label=nested`: allow SELinux labelling inside the container.
    pub label_nested: bool,
    /// `label=user:`, `role:`, `type:`, `level:`, `filetype:` entries as
    /// (`user`, value) pairs.
    pub labels: Vec<(String, String)>,
    /// `apparmor=PROFILE` (`unconfined` disables it).
    pub apparmor: Option<String>,
    /// `mask=/a:/b`: more paths to mask.
    pub mask: Vec<PathBuf>,
    /// `unmask=ALL` or `unmask=/a:/b`: default masked paths to expose.
    pub unmask: Vec<String>,
}

/// Parses every `--security-opt` value (`flag` names them in errors). Keys may be followed
/// by `=` or, as docker's old syntax, `:`.
pub fn parse_security_opts(flag: &str, values: &[String]) -> Result<SecurityOptions, InvalidValue> {
    let mut out = SecurityOptions::default();
    for value in values {
        let bad = |reason: String| InvalidValue::new(flag, value, reason);
        if value == "no-new-privileges" {
            out.no_new_privileges = true;
            continue;
        }
        let Some(pos) = value.find(['=', ':']) else {
            return Err(bad(
                "expected seccomp=..., no-new-privileges, label=..., apparmor=..., mask=... \
                 or unmask=..."
                    .into(),
            ));
        };
        let (key, val) = (&value[..pos], &value[pos + 1..]);
        if val.is_empty() {
            return Err(bad(format!("{key} needs a value")));
        }
        match key {
            "seccomp" => {
                out.seccomp = if val == "unconfined" {
                    Seccomp::Unconfined
                } else {
                    Seccomp::Profile(val.into())
                };
            }
            "no-new-privileges" => {
                out.no_new_privileges = match val {
                    "true" => true,
                    "false" => false,
                    _ => return Err(bad("no-new-privileges takes true or false".into())),
                };
            }
            "label" => match val {
                "disable" => out.label_disabled = true,
                "nested" => out.label_nested = true,
                _ => {
                    let Some((k, v)) = val.split_once(':') else {
                        return Err(bad(
                            "label takes disable, nested, or user:, role:, type:, level:, \
                             filetype: with a value"
                                .into(),
                        ));
                    };
                    if !matches!(k, "user" | "role" | "type" | "level" | "filetype") || v.is_empty()
                    {
                        return Err(bad(format!("unknown label option {k:?}")));
                    }
                    out.labels.push((k.to_owned(), v.to_owned()));
                }
            },
            "apparmor" => out.apparmor = Some(val.to_owned()),
            "mask" => {
                for p in val.split(':') {
                    if !p.starts_with('/') {
                        return Err(bad(format!("mask path {p:?} must be absolute")));
                    }
                    out.mask.push(p.into());
                }
            }
            "unmask" => {
                for p in val.split(':') {
                    if p != "ALL" && !p.starts_with('/') {
                        return Err(bad(format!("unmask path {p:?} must be absolute or ALL")));
                    }
                    out.unmask.push(p.to_owned());
                }
            }
            _ => return Err(bad(format!("unknown security option {key:?}"))),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(values: &[&str]) -> Result<SecurityOptions, InvalidValue> {
        parse_security_opts(
            "--security-opt",
            &values.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn seccomp_record_form_round_trips() {
        for s in [
            Seccomp::Default,
            Seccomp::Unconfined,
            Seccomp::Profile("/etc/p.json".into()),
        ] {
            assert_eq!(Seccomp::from_record(s.to_record().as_deref()), s);
        }
    }

    #[test]
    fn forms() {
        let s = parse(&[
            "seccomp=unconfined",
            "no-new-privileges",
            "label=disable",
            "label=type:spc_t",
            "apparmor=unconfined",
            "mask=/proc/a:/proc/b",
            "unmask=ALL",
        ])
        .unwrap();
        assert_eq!(s.seccomp, Seccomp::Unconfined);
        assert!(s.no_new_privileges && s.label_disabled);
        assert_eq!(s.labels, [("type".to_owned(), "spc_t".to_owned())]);
        assert_eq!(s.apparmor.as_deref(), Some("unconfined"));
        assert_eq!(s.mask.len(), 2);
        assert_eq!(s.unmask, ["ALL"]);
        let s = parse(&["seccomp:/etc/p.json", "no-new-privileges=false"]).unwrap();
        assert_eq!(s.seccomp, Seccomp::Profile("/etc/p.json".into()));
        assert!(!s.no_new_privileges);
        assert_eq!(parse(&[]).unwrap(), SecurityOptions::default());
    }

    #[test]
    fn bad_options() {
        for (bad, what) in [
            ("selinux", "expected"),
            ("seccomp=", "needs a value"),
            ("no-new-privileges=maybe", "true or false"),
            ("label=color:red", "unknown label option"),
            ("label=weird", "label takes"),
            ("mask=relative", "absolute"),
            ("unmask=some", "absolute or ALL"),
            ("systempaths=unconfined", "unknown security option"),
        ] {
            let e = parse(&[bad]).unwrap_err().to_string();
            assert!(
                e.contains("--security-opt") && e.contains(what),
                "{bad}: {e}"
            );
        }
    }
}
