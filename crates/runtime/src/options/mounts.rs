//! Mounts of a container: [`ContainerMount`], and the parsers of `-v/--volume`, `--mount` and
//! `--tmpfs` values.
//!
//! `-v SRC:DST[:OPTS]`: SRC starting with `/` or `.` is a host path (bind
//! mount; relative paths are taken from the current directory), anything
//! else a named volume; `-v DST` alone is an anonymous volume. OPTS is a
//! comma list of `ro`, `rw`, `z`, `Z`, `nosuid`, `suid`, `nodev`, `dev`,
//! `noexec`, `exec`, `rbind`, `bind`, `[r]private`, `[r]shared`, `[r]slave`,
//! `copy`, `nocopy`, `U`, `O`.
//! `--mount type=bind|volume|tmpfs,source=...,destination=...,ro,...` is the
//! long form; `--tmpfs DST[:OPTS]` a tmpfs.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use berth_config::{NameError, NameKind};

use super::InvalidValue;

/// One mount of a container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ContainerMount {
    /// A host path bound into the container.
    Bind {
        /// Absolute host path.
        source: PathBuf,
        /// Absolute path inside the container.
        destination: PathBuf,
        /// Read-only.
        read_only: bool,
        /// Other mount options, normalised (`nosuid`, `z`, `rslave`, `bind`, ...), without
        /// `ro`/`rw`.
        options: Vec<String>,
    },
    /// A named volume, or an anonymous one (`name: None`) that `create` makes with a random
    /// name. Missing named volumes are created.
    Volume {
        /// Volume name.
        name: Option<String>,
        /// Absolute path inside the container.
        destination: PathBuf,
        /// Read-only.
        read_only: bool,
        /// Other mount options, without `ro`/`rw`.
        options: Vec<String>,
    },
    /// A tmpfs.
    Tmpfs {
        /// Absolute path inside the container.
        destination: PathBuf,
        /// Read-only.
        read_only: bool,
        /// Other mount options (`size=64m`, `mode=1777`, `noexec`, ...), without `ro`/`rw`.
        options: Vec<String>,
    },
}

impl ContainerMount {
    /// Where it appears inside the container.
    pub fn destination(&self) -> &Path {
        match self {
            Self::Bind { destination, .. }
            | Self::Volume { destination, .. }
            | Self::Tmpfs { destination, .. } => destination,
        }
    }

    /// Whether it is mounted read-only.
    pub fn read_only(&self) -> bool {
        match self {
            Self::Bind { read_only, .. }
            | Self::Volume { read_only, .. }
            | Self::Tmpfs { read_only, .. } => *read_only,
        }
    }

    /// Its mount options (without `ro`/`rw`).
    pub fn options(&self) -> &[String] {
        match self {
            Self::Bind { options, .. }
            | Self::Volume { options, .. }
            | Self::Tmpfs { options, .. } => options,
        }
    }

    /// Its options as the container record keeps them: `ro` appended when read-only.
    pub(crate) fn record_options(&self) -> Vec<String> {
        let mut options = self.options().to_vec();
        if self.read_only() {
            options.push("ro".into());
        }
        options
    }
}

/// What a parser found before it has the destination and options.
enum Kind {
    Bind(PathBuf),
    Volume(Option<String>),
    Tmpfs,
}

impl Kind {
    fn with(self, destination: PathBuf, read_only: bool, options: Vec<String>) -> ContainerMount {
        match self {
            Kind::Bind(source) => ContainerMount::Bind {
                source,
                destination,
                read_only,
                options,
            },
            Kind::Volume(name) => ContainerMount::Volume {
                name,
                destination,
                read_only,
                options,
            },
            Kind::Tmpfs => ContainerMount::Tmpfs {
                destination,
                read_only,
                options,
            },
        }
    }
}

const VOLUME_OPTIONS: &[&str] = &[
    "z", "Z", "nosuid", "suid", "nodev", "dev", "noexec", "exec", "rbind", "bind", "private",
    "rprivate", "shared", "rshared", "slave", "rslave", "copy", "nocopy", "U", "O",
];

/// Parses one `-v` value (`flag` names it in errors); `cwd` resolves relative bind sources.
pub fn parse_volume(flag: &str, value: &str, cwd: &Path) -> Result<ContainerMount, InvalidValue> {
    let bad = |reason: String| InvalidValue::new(flag, value, reason);
    let parts: Vec<&str> = value.split(':').collect();
    let (source, dest, opts) = match parts.as_slice() {
        [dest] => (None, *dest, None),
        [source, dest] => (Some(*source), *dest, None),
        [source, dest, opts] => (Some(*source), *dest, Some(*opts)),
        _ => {
            return Err(bad(
                "expected SOURCE:DESTINATION[:OPTIONS] or DESTINATION".into()
            ))
        }
    };
    let destination = absolute_destination(dest).map_err(bad)?;
    let kind = match source {
        None => Kind::Volume(None),
        Some("") => return Err(bad("the source is empty".into())),
        Some(s) if s.starts_with('/') || s.starts_with('.') => Kind::Bind(normalize(&cwd.join(s))),
        Some(name) => {
            check_volume_name(name).map_err(bad)?;
            Kind::Volume(Some(name.to_owned()))
        }
    };
    let mut read_only = false;
    let mut options = Vec::new();
    let mut seen_rw = false;
    for opt in opts.into_iter().flat_map(|o| o.split(',')) {
        match opt {
            "ro" | "rw" => {
                if seen_rw {
                    return Err(bad("only one of ro and rw may be given".into()));
                }
                seen_rw = true;
                read_only = opt == "ro";
            }
            o if VOLUME_OPTIONS.contains(&o) => {
                if options.iter().any(|x: &String| x == o) {
                    return Err(bad(format!("option {o} is given twice")));
                }
                options.push(o.to_owned());
            }
            "" => return Err(bad("empty option".into())),
            o => return Err(bad(format!("unknown volume option {o:?}"))),
        }
    }
    check_exclusive(&options, &["z", "Z"]).map_err(bad)?;
    check_exclusive(&options, &["nosuid", "suid"]).map_err(bad)?;
    check_exclusive(&options, &["nodev", "dev"]).map_err(bad)?;
    check_exclusive(&options, &["noexec", "exec"]).map_err(bad)?;
    check_exclusive(&options, &["copy", "nocopy"]).map_err(bad)?;
    check_exclusive(&options, &["bind", "rbind"]).map_err(bad)?;
    check_exclusive(
        &options,
        &[
            "private", "rprivate", "shared", "rshared", "slave", "rslave",
        ],
    )
    .map_err(bad)?;
    if matches!(kind, Kind::Volume(_))
        && options
            .iter()
            .any(|o| matches!(o.as_str(), "bind" | "rbind"))
    {
        return Err(bad("bind and rbind apply to host paths, not volumes".into()));
    }
    Ok(kind.with(destination, read_only, options))
}

/// Parses one `--mount type=...,source=...,destination=...` value (`flag` names it in
/// errors); `cwd` resolves relative bind sources.
pub fn parse_mount(flag: &str, value: &str, cwd: &Path) -> Result<ContainerMount, InvalidValue> {
    let bad = |reason: String| InvalidValue::new(flag, value, reason);
    let mut kind_name = None;
    let mut source = None;
    let mut destination = None;
    let mut read_only = false;
    let mut options = Vec::new();
    for field in value.split(',') {
        let (key, val) = match field.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (field, None),
        };
        let need = |v: Option<&str>| -> std::result::Result<String, String> {
            match v {
                Some(v) if !v.is_empty() => Ok(v.to_owned()),
                _ => Err(format!("{key} needs a value ({key}=...)")),
            }
        };
        match key {
            "type" => kind_name = Some(need(val).map_err(bad)?),
            "source" | "src" => source = Some(need(val).map_err(bad)?),
            "destination" | "dst" | "target" => destination = Some(need(val).map_err(bad)?),
            "ro" | "readonly" => {
                read_only = match val {
                    None | Some("true") => true,
                    Some("false") => false,
                    Some(v) => return Err(bad(format!("{key}={v}: expected true or false"))),
                };
            }
            "rw" => read_only = false,
            "bind-propagation" => {
                let v = need(val).map_err(bad)?;
                if !matches!(
                    v.as_str(),
                    "private" | "rprivate" | "shared" | "rshared" | "slave" | "rslave"
                ) {
                    return Err(bad(format!("unknown bind-propagation {v:?}")));
                }
                options.push(v);
            }
            "relabel" => match need(val).map_err(bad)?.as_str() {
                "shared" => options.push("z".into()),
                "private" => options.push("Z".into()),
                v => return Err(bad(format!("relabel={v}: expected shared or private"))),
            },
            "tmpfs-size" => options.push(format!("size={}", need(val).map_err(bad)?)),
            "tmpfs-mode" => {
                let v = need(val).map_err(bad)?;
                if u32::from_str_radix(&v, 8).is_err() {
                    return Err(bad(format!("tmpfs-mode={v}: expected an octal mode")));
                }
                options.push(format!("mode={v}"));
            }
            "nosuid" | "suid" | "nodev" | "dev" | "noexec" | "exec" | "z" | "Z" | "U" | "copy"
            | "nocopy" | "bind-nonrecursive" => {
                if val.is_some() {
                    return Err(bad(format!("{key} takes no value")));
                }
                options.push(if key == "bind-nonrecursive" {
                    "bind".into()
                } else {
                    key.to_owned()
                });
            }
            "" => return Err(bad("empty field".into())),
            k => return Err(bad(format!("unknown {flag} key {k:?}"))),
        }
    }
    let Some(dest) = destination else {
        return Err(bad("destination= is required".into()));
    };
    let destination = absolute_destination(&dest).map_err(bad)?;
    let kind = match kind_name.as_deref() {
        Some("bind") => {
            let Some(src) = source else {
                return Err(bad("type=bind needs source=".into()));
            };
            Kind::Bind(normalize(&cwd.join(src)))
        }
        Some("volume") => {
            if let Some(name) = &source {
                check_volume_name(name).map_err(bad)?;
            }
            Kind::Volume(source)
        }
        Some("tmpfs") => {
            if source.is_some() {
                return Err(bad("type=tmpfs takes no source".into()));
            }
            Kind::Tmpfs
        }
        Some(t) => {
            return Err(bad(format!(
                "unknown mount type {t:?}; use bind, volume or tmpfs"
            )))
        }
        None => return Err(bad("type= is required (bind, volume or tmpfs)".into())),
    };
    if !matches!(kind, Kind::Tmpfs)
        && options
            .iter()
            .any(|o| o.starts_with("size=") || o.starts_with("mode="))
    {
        return Err(bad(
            "tmpfs-size and tmpfs-mode apply to type=tmpfs only".into()
        ));
    }
    Ok(kind.with(destination, read_only, options))
}

/// Parses one `--tmpfs DST[:OPTS]` value (`flag` names it in errors).
pub fn parse_tmpfs(flag: &str, value: &str) -> Result<ContainerMount, InvalidValue> {
    let bad = |reason: String| InvalidValue::new(flag, value, reason);
    let (dest, opts) = value.split_once(':').unwrap_or((value, ""));
    let destination = absolute_destination(dest).map_err(bad)?;
    let mut read_only = false;
    let mut options = Vec::new();
    for opt in opts.split(',').filter(|o| !o.is_empty()) {
        match opt {
            "ro" => read_only = true,
            "rw" => read_only = false,
            o => {
                let valid = match o.split_once('=') {
                    Some(("size" | "mode" | "uid" | "gid" | "nr_inodes" | "nr_blocks", v)) => {
                        !v.is_empty()
                    }
                    Some(_) => false,
                    None => matches!(
                        o,
                        "nosuid"
                            | "suid"
                            | "nodev"
                            | "dev"
                            | "noexec"
                            | "exec"
                            | "notmpcopyup"
                            | "tmpcopyup"
                            | "U"
                            | "noatime"
                            | "relatime"
                            | "strictatime"
                    ),
                };
                if !valid {
                    return Err(bad(format!("unknown tmpfs option {o:?}")));
                }
                options.push(o.to_owned());
            }
        }
    }
    Ok(ContainerMount::Tmpfs {
        destination,
        read_only,
        options,
    })
}

fn absolute_destination(dest: &str) -> std::result::Result<PathBuf, String> {
    if dest.is_empty() {
        return Err("the destination is empty".into());
    }
    if !dest.starts_with('/') {
        return Err(format!(
            "destination {dest:?} must be an absolute path in the container"
        ));
    }
    Ok(normalize(Path::new(dest)))
}

/// Lexically removes `.`, `..` and repeated slashes.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push("/");
    }
    out
}

/// A volume name by berth-config's one name rule: a letter or digit, then letters, digits,
/// `_`, `.`, `-`, at most 253 characters.
pub fn check_volume_name(name: &str) -> std::result::Result<(), String> {
    match NameKind::Volume.check(name) {
        Ok(()) => Ok(()),
        Err(e @ NameError::TooLong { .. }) => {
            Err(format!("{name:?} is not a valid volume name: {e}"))
        }
        Err(NameError::Empty | NameError::Pattern) => Err(format!(
            "{name:?} is not a valid volume name: use letters, digits, `_`, `.`, `-`, \
             starting with a letter or digit (a host path must start with / or .)"
        )),
    }
}

fn check_exclusive(options: &[String], group: &[&str]) -> std::result::Result<(), String> {
    let present: Vec<&str> = group
        .iter()
        .copied()
        .filter(|g| options.iter().any(|o| o == g))
        .collect();
    if present.len() > 1 {
        return Err(format!(
            "options {} cannot be combined",
            present.join(" and ")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cwd() -> PathBuf {
        PathBuf::from("/home/u/work")
    }

    fn vol(v: &str) -> ContainerMount {
        parse_volume("--volume", v, &cwd()).unwrap()
    }

    fn vol_err(v: &str) -> String {
        let e = parse_volume("--volume", v, &cwd()).unwrap_err().to_string();
        assert!(e.contains("--volume") && e.contains(v), "{e}");
        e
    }

    fn mount(v: &str) -> Result<ContainerMount, InvalidValue> {
        parse_mount("--mount", v, &cwd())
    }

    fn bind(source: &str, destination: &str, read_only: bool, options: &[&str]) -> ContainerMount {
        ContainerMount::Bind {
            source: source.into(),
            destination: destination.into(),
            read_only,
            options: options.iter().map(|o| (*o).to_owned()).collect(),
        }
    }

    #[test]
    fn bind_mounts_absolute_and_relative() {
        assert_eq!(
            vol("/srv/data:/data:ro,Z,nosuid"),
            bind("/srv/data", "/data", true, &["Z", "nosuid"])
        );
        assert_eq!(
            vol("./conf/../etc:/etc/app"),
            bind("/home/u/work/etc", "/etc/app", false, &[])
        );
        assert_eq!(vol("/srv/data:/data:ro,Z").record_options(), ["Z", "ro"]);
    }

    #[test]
    fn named_and_anonymous_volumes() {
        let m = vol("pgdata:/var/lib/pg:rw,nodev");
        assert_eq!(
            m,
            ContainerMount::Volume {
                name: Some("pgdata".into()),
                destination: "/var/lib/pg".into(),
                read_only: false,
                options: vec!["nodev".into()],
            }
        );
        let m = vol("/scratch");
        assert!(matches!(&m, ContainerMount::Volume { name: None, .. }));
        assert_eq!(m.destination(), Path::new("/scratch"));
    }

    #[test]
    fn volume_errors() {
        assert!(vol_err("data:rel").contains("absolute"));
        assert!(vol_err("a:/b:ro:x").contains("expected"));
        assert!(vol_err("/a:/b:ro,rw").contains("ro and rw"));
        assert!(vol_err("/a:/b:z,Z").contains("cannot be combined"));
        assert!(vol_err("/a:/b:fast").contains("unknown volume option"));
        assert!(vol_err("bad name:/b").contains("valid volume name"));
        assert!(vol_err("_x:/b").contains("valid volume name"));
        let long = format!("{}:/b", "v".repeat(254));
        assert!(vol_err(&long).contains("at most 253"));
        assert!(vol_err(":/b").contains("empty"));
        assert!(vol_err("v:/b:rbind").contains("host paths"));
        assert!(vol_err("/a:/b:nosuid,nosuid").contains("twice"));
    }

    #[test]
    fn mount_flag_forms() {
        let m = mount("type=bind,source=/src,destination=/dst,ro,bind-propagation=rslave").unwrap();
        assert_eq!(m, bind("/src", "/dst", true, &["rslave"]));
        let m = mount("type=volume,src=v1,target=/v,readonly=false").unwrap();
        assert!(matches!(&m, ContainerMount::Volume { name: Some(n), .. } if n == "v1"));
        assert!(!m.read_only());
        let m = mount("type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1777").unwrap();
        assert!(matches!(m, ContainerMount::Tmpfs { .. }));
        assert_eq!(m.options(), ["size=64m", "mode=1777"]);
        let m = mount("type=volume,dst=/anon").unwrap();
        assert!(matches!(m, ContainerMount::Volume { name: None, .. }));
    }

    #[test]
    fn mount_flag_errors() {
        for (bad, what) in [
            ("source=/a,destination=/b", "type= is required"),
            ("type=nfs,destination=/b", "unknown mount type"),
            ("type=bind,destination=/b", "needs source"),
            ("type=bind,source=/a", "destination= is required"),
            (
                "type=bind,source=/a,dst=/b,color=red",
                "unknown --mount key",
            ),
            ("type=bind,source=/a,dst=/b,ro=maybe", "true or false"),
            ("type=tmpfs,source=/a,dst=/b", "no source"),
            ("type=tmpfs,dst=/b,tmpfs-mode=999", "octal"),
            ("type=bind,src=/a,dst=/b,tmpfs-size=1m", "type=tmpfs only"),
            ("type=bind,src=,dst=/b", "needs a value"),
            ("type=bind,src=/a,dst=/b,relabel=x", "shared or private"),
        ] {
            let e = mount(bad).unwrap_err().to_string();
            assert!(e.contains("--mount") && e.contains(what), "{bad}: {e}");
        }
    }

    #[test]
    fn tmpfs_forms_and_errors() {
        let m = parse_tmpfs("--tmpfs", "/run:rw,size=64m,noexec").unwrap();
        assert!(matches!(m, ContainerMount::Tmpfs { .. }));
        assert_eq!(m.options(), ["size=64m", "noexec"]);
        assert!(!m.read_only());
        assert!(parse_tmpfs("--tmpfs", "/tmp").unwrap().options().is_empty());
        for bad in ["tmp", "/t:size=", "/t:color=red", "/t:fast"] {
            let e = parse_tmpfs("--tmpfs", bad).unwrap_err().to_string();
            assert!(e.contains("--tmpfs"), "{bad}: {e}");
        }
    }
}
