//! Resolving `--user` against the container's `/etc/passwd` and `/etc/group`.

use std::path::Path;

use super::in_root::{read_in_root, ETC_FILE_LIMIT};
use crate::error::{Error, Result};

/// A resolved user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedUser {
    /// uid.
    pub uid: u32,
    /// Primary gid.
    pub gid: u32,
    /// Supplementary gids: groups listing the user as a member, then `--group-add`.
    pub additional_gids: Vec<u32>,
    /// Home directory (`/` when unknown).
    pub home: String,
    /// Login name when known.
    pub name: Option<String>,
}

struct PasswdEntry {
    name: String,
    uid: u32,
    gid: u32,
    home: String,
}

struct GroupEntry {
    name: String,
    gid: u32,
    members: Vec<String>,
}

fn parse_passwd(text: &str) -> Vec<PasswdEntry> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() < 4 {
                return None;
            }
            Some(PasswdEntry {
                name: f[0].to_owned(),
                uid: f[2].parse().ok()?,
                gid: f[3].parse().ok()?,
                home: f.get(5).map_or_else(|| "/".to_owned(), |h| (*h).to_owned()),
            })
        })
        .collect()
}

fn parse_group(text: &str) -> Vec<GroupEntry> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() < 3 {
                return None;
            }
            Some(GroupEntry {
                name: f[0].to_owned(),
                gid: f[2].parse().ok()?,
                members: f
                    .get(3)
                    .map(|m| {
                        m.split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// Resolves `user` (`""`, `name`, `uid`, `name:group`, `uid:gid`) and `groups` against `rootfs`.
/// A numeric uid or gid need not exist in the files; a name must. The files are read inside
/// the root filesystem (`openat2` with `RESOLVE_IN_ROOT`): a link out of it finds nothing, a file that
/// is not regular or is over 1 MiB is an error.
pub fn resolve_user(rootfs: &Path, user: &str, groups: &[String]) -> Result<ResolvedUser> {
    let passwd_path = rootfs.join("etc/passwd");
    let group_path = rootfs.join("etc/group");
    let passwd = read_in_root(rootfs, "/etc/passwd", ETC_FILE_LIMIT)?
        .map(|t| parse_passwd(&t))
        .unwrap_or_default();
    let group = read_in_root(rootfs, "/etc/group", ETC_FILE_LIMIT)?
        .map(|t| parse_group(&t))
        .unwrap_or_default();

    let (user_part, group_part) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    let user_part = if user_part.is_empty() { "0" } else { user_part };

    let entry = if let Ok(uid) = user_part.parse::<u32>() {
        passwd.iter().find(|p| p.uid == uid)
    } else {
        Some(
            passwd
                .iter()
                .find(|p| p.name == user_part)
                .ok_or_else(|| Error::UnknownUser {
                    user: user_part.to_owned(),
                    path: passwd_path.clone(),
                })?,
        )
    };
    let uid = match entry {
        Some(e) => e.uid,
        None => user_part.parse::<u32>().unwrap_or_default(),
    };

    let lookup_group = |g: &str| -> Result<u32> {
        if let Ok(gid) = g.parse::<u32>() {
            return Ok(gid);
        }
        group
            .iter()
            .find(|e| e.name == g)
            .map(|e| e.gid)
            .ok_or_else(|| Error::UnknownGroup {
                group: g.to_owned(),
                path: group_path.clone(),
            })
    };

    let gid = match group_part {
        Some(g) if !g.is_empty() => lookup_group(g)?,
        _ => entry.map_or(0, |e| e.gid),
    };

    let mut additional_gids = Vec::new();
    if group_part.is_none() {
        if let Some(e) = entry {
            for g in group.iter().filter(|g| g.members.contains(&e.name)) {
                if g.gid != gid && !additional_gids.contains(&g.gid) {
                    additional_gids.push(g.gid);
                }
            }
        }
    }
    for g in groups {
        let gid = lookup_group(g)?;
        if !additional_gids.contains(&gid) {
            additional_gids.push(gid);
        }
    }

    Ok(ResolvedUser {
        uid,
        gid,
        additional_gids,
        home: entry.map_or_else(|| "/".to_owned(), |e| e.home.clone()),
        name: entry.map(|e| e.name.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rootfs() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("etc")).unwrap();
        std::fs::write(
            d.path().join("etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\n# comment\nwww:x:33:33:www:/var/www:/bin/false\nbad line\n",
        )
        .unwrap();
        std::fs::write(
            d.path().join("etc/group"),
            "root:x:0:\nwww:x:33:\nadm:x:4:www,other\nvideo:x:44:\n",
        )
        .unwrap();
        d
    }

    #[test]
    fn default_is_root_with_home() {
        let d = rootfs();
        let u = resolve_user(d.path(), "", &[]).unwrap();
        assert_eq!((u.uid, u.gid, u.home.as_str()), (0, 0, "/root"));
    }

    #[test]
    fn name_resolves_uid_gid_and_member_groups() {
        let d = rootfs();
        let u = resolve_user(d.path(), "www", &[]).unwrap();
        assert_eq!((u.uid, u.gid), (33, 33));
        assert_eq!(u.additional_gids, vec![4]);
        assert_eq!(u.home, "/var/www");
    }

    #[test]
    fn numeric_ids_need_no_entry() {
        let d = rootfs();
        let u = resolve_user(d.path(), "1234:5678", &[]).unwrap();
        assert_eq!((u.uid, u.gid, u.home.as_str()), (1234, 5678, "/"));
        let u = resolve_user(d.path(), "33", &[]).unwrap();
        assert_eq!(u.gid, 33);
    }

    #[test]
    fn group_names_and_group_add() {
        let d = rootfs();
        let u = resolve_user(d.path(), "www:video", &["adm".into(), "99".into()]).unwrap();
        assert_eq!(u.gid, 44);
        assert_eq!(u.additional_gids, vec![4, 99]);
    }

    #[test]
    fn unknown_user_and_group_are_clear_errors() {
        let d = rootfs();
        let e = resolve_user(d.path(), "nobody", &[]).unwrap_err();
        assert!(e.to_string().contains("unable to find user nobody"), "{e}");
        assert!(e.to_string().contains("etc/passwd"), "{e}");
        let e = resolve_user(d.path(), "www:nogroup", &[]).unwrap_err();
        assert!(
            e.to_string().contains("unable to find group nogroup"),
            "{e}"
        );
    }

    #[test]
    fn missing_passwd_allows_numeric_only() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(resolve_user(d.path(), "5", &[]).unwrap().uid, 5);
        assert!(resolve_user(d.path(), "root", &[]).is_err());
    }

    #[test]
    fn passwd_linked_to_a_host_file_is_not_read() {
        let host = tempfile::tempdir().unwrap();
        let secret = host.path().join("passwd");
        std::fs::write(&secret, "hostuser:x:4242:4242::/hosthome:/bin/sh\n").unwrap();
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("etc")).unwrap();
        std::os::unix::fs::symlink(&secret, d.path().join("etc/passwd")).unwrap();
        let e = resolve_user(d.path(), "hostuser", &[]).unwrap_err();
        assert!(
            e.to_string().contains("unable to find user hostuser"),
            "{e}"
        );
        // podman's fallback for a numeric uid without an entry: HOME=/.
        let u = resolve_user(d.path(), "4242", &[]).unwrap();
        assert_eq!((u.uid, u.gid, u.home.as_str()), (4242, 0, "/"));
    }

    #[test]
    fn fifo_or_huge_passwd_is_a_clear_error() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("etc")).unwrap();
        nix::unistd::mkfifo(
            &d.path().join("etc/passwd"),
            nix::sys::stat::Mode::from_bits_truncate(0o644),
        )
        .unwrap();
        let e = resolve_user(d.path(), "1000", &[]).unwrap_err();
        assert!(
            e.to_string().contains("/etc/passwd") && e.to_string().contains("FIFO"),
            "{e}"
        );
        std::fs::remove_file(d.path().join("etc/passwd")).unwrap();
        let f = std::fs::File::create(d.path().join("etc/group")).unwrap();
        f.set_len(ETC_FILE_LIMIT + 1).unwrap();
        let e = resolve_user(d.path(), "0", &[]).unwrap_err();
        assert!(
            e.to_string().contains("/etc/group") && e.to_string().contains("bytes"),
            "{e}"
        );
    }
}
