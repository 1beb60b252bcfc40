//! Short names (`busybox`, `ns/app:1`) as containers/image's pkg/shortnames
//! treats them: for a pull ([`RegistryRules::resolve`]) an alias wins, else
//! the unqualified-search registries under `short-name-mode`; for a look-up
//! in local storage ([`RegistryRules::local_candidates`]) the alias, then
//! `localhost/`, then every search registry, whatever the mode.

use crate::reference::{Reference, DEFAULT_DOMAIN};

use super::error::{Error, Result};
use super::rules::{RegistryRules, Resolution, Resolved, ShortNameMode};

/// A short name as parsed, with the name the user wrote (no tag or digest).
struct Short {
    reference: Reference,
    name: String,
}

fn short(input: &str) -> Result<std::result::Result<Short, Reference>> {
    let r = Reference::parse(input)?;
    if r.had_domain {
        return Ok(Err(r));
    }
    let name = if input.starts_with("library/") || !r.path.starts_with("library/") {
        r.path.clone()
    } else {
        r.path["library/".len()..].to_string()
    };
    Ok(Ok(Short { reference: r, name }))
}

impl Short {
    /// The short name completed with `registry` (docker.io adds `library/`).
    fn on(&self, registry: &str) -> Reference {
        let mut c = self.reference.clone();
        c.had_domain = true;
        c.domain = registry.to_string();
        c.path = if registry == DEFAULT_DOMAIN && !self.name.contains('/') {
            format!("library/{}", self.name)
        } else {
            self.name.clone()
        };
        c
    }
}

impl RegistryRules {
    /// Fully qualified candidates for a reference, as containers/image
    /// resolves short names: a name with a registry is itself; else an
    /// alias wins (the user's tag or digest carried over); else the
    /// search registries in order, all of them in `disabled` and
    /// `permissive` mode or when there is one, and an error in `enforcing`
    /// mode when there are several (berth never prompts).
    pub fn candidates(&self, input: &str) -> Result<Vec<Reference>> {
        Ok(self.resolve(input)?.candidates)
    }

    /// [`RegistryRules::candidates`] with how they were found.
    pub fn resolve(&self, input: &str) -> Result<Resolved> {
        let s = match short(input)? {
            Err(qualified) => {
                return Ok(Resolved {
                    candidates: vec![qualified],
                    how: Resolution::Qualified,
                })
            }
            Ok(s) => s,
        };
        if let Some((c, origin)) = self.alias_of(&s)? {
            return Ok(Resolved {
                candidates: vec![c],
                how: Resolution::Alias {
                    name: s.name,
                    origin,
                },
            });
        }
        if self.search.is_empty() {
            return Err(Error::NoSearchRegistries {
                name: input.to_string(),
            });
        }
        let mut out: Vec<Reference> = Vec::new();
        for reg in &self.search {
            let c = s.on(reg);
            if !out.contains(&c) {
                out.push(c);
            }
        }
        if out.len() > 1 && self.short_name_mode == ShortNameMode::Enforcing {
            return Err(Error::ShortNameEnforced {
                name: input.to_string(),
                candidates: out.iter().map(ToString::to_string).collect(),
            });
        }
        Ok(Resolved {
            candidates: out,
            how: Resolution::SearchRegistries,
        })
    }

    /// The names a reference may have in local storage, in the order
    /// containers/image's `ResolveLocally` gives them: a qualified name is
    /// itself; a short name is its alias (if any), then `localhost/NAME`,
    /// then NAME on each search registry. `short-name-mode` plays no part
    /// and no search registries is no error. Only a broken alias fails.
    pub fn local_candidates(&self, input: &str) -> Result<Vec<Reference>> {
        let s = match short(input)? {
            Err(qualified) => return Ok(vec![qualified]),
            Ok(s) => s,
        };
        let mut out = Vec::new();
        if let Some((c, _)) = self.alias_of(&s)? {
            out.push(c);
        }
        for reg in std::iter::once("localhost").chain(self.search.iter().map(String::as_str)) {
            let c = s.on(reg);
            if !out.contains(&c) {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// The alias of a short name with the user's tag or digest, and the
    /// file it came from; an empty alias is none.
    fn alias_of(&self, s: &Short) -> Result<Option<(Reference, String)>> {
        let Some(alias) = self.aliases.get(&s.name).filter(|a| !a.target.is_empty()) else {
            return Ok(None);
        };
        let what = || format!("short-name alias {:?} in {}", s.name, alias.origin);
        let mut c =
            Reference::parse(&alias.target).map_err(|e| Error::bad(what(), e.to_string()))?;
        let t = &alias.target;
        let tagged = t.contains('@') || t.rsplit('/').next().is_some_and(|l| l.contains(':'));
        if !c.had_domain || tagged || !t.contains('/') {
            return Err(Error::bad(
                what(),
                format!("{t:?} must be a fully qualified name without tag or digest"),
            ));
        }
        c.tag.clone_from(&s.reference.tag);
        c.digest.clone_from(&s.reference.digest);
        Ok(Some((c, alias.origin.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Alias;

    fn names(rules: &RegistryRules, input: &str) -> Vec<String> {
        rules
            .candidates(input)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn alias(target: &str, origin: &str) -> Alias {
        Alias {
            target: target.into(),
            origin: origin.into(),
        }
    }

    #[test]
    fn short_names_follow_the_mode_as_containers_image_does() {
        let two = RegistryRules {
            search: vec!["quay.io".into(), "docker.io".into()],
            ..RegistryRules::default()
        };
        // Permissive (the default when unset) and disabled try them all, in order.
        for mode in [ShortNameMode::Permissive, ShortNameMode::Disabled] {
            let r = RegistryRules {
                short_name_mode: mode,
                ..two.clone()
            };
            assert_eq!(
                names(&r, "busybox:1"),
                ["quay.io/busybox:1", "docker.io/library/busybox:1"]
            );
            assert_eq!(
                r.resolve("busybox").unwrap().how,
                Resolution::SearchRegistries
            );
        }
        // Enforcing with several candidates: podman's error without a TTY.
        let enforcing = RegistryRules {
            short_name_mode: ShortNameMode::Enforcing,
            ..two.clone()
        };
        let e = enforcing.candidates("busybox").unwrap_err();
        let s = e.to_string();
        assert!(
            s.starts_with("short-name resolution enforced but cannot prompt without a TTY"),
            "{s}"
        );
        assert!(
            s.contains("quay.io/busybox:latest or docker.io/library/busybox:latest"),
            "{s}"
        );
        // Enforcing with one search registry: no ambiguity.
        let one = RegistryRules {
            search: vec!["quay.io".into()],
            short_name_mode: ShortNameMode::Enforcing,
            ..RegistryRules::default()
        };
        assert_eq!(names(&one, "busybox"), ["quay.io/busybox:latest"]);
        // Qualified names are never resolved.
        assert_eq!(names(&enforcing, "quay.io/a/b"), ["quay.io/a/b:latest"]);
        assert_eq!(
            enforcing.resolve("localhost/x").unwrap().how,
            Resolution::Qualified
        );
    }

    #[test]
    fn aliases_come_first_keep_the_tag_and_can_be_reset() {
        let d = format!("sha256:{}", "b".repeat(64));
        let mut rules = RegistryRules {
            search: vec!["quay.io".into(), "docker.io".into()],
            short_name_mode: ShortNameMode::Enforcing,
            ..RegistryRules::default()
        };
        rules.aliases.insert(
            "bb".into(),
            alias(
                "registry.example:5000/tools/busybox",
                "/etc/containers/registries.conf.d/x.conf",
            ),
        );
        rules.aliases.insert(
            "library/app".into(),
            alias("docker.io/library/app", "r.conf"),
        );
        rules.aliases.insert("gone".into(), alias("", "reset.conf"));
        // An alias wins even in enforcing mode with several search registries.
        assert_eq!(
            names(&rules, "bb"),
            ["registry.example:5000/tools/busybox:latest"]
        );
        assert_eq!(
            names(&rules, "bb:1.36"),
            ["registry.example:5000/tools/busybox:1.36"]
        );
        assert_eq!(
            names(&rules, &format!("bb@{d}")),
            [format!("registry.example:5000/tools/busybox@{d}")]
        );
        assert_eq!(
            rules.resolve("bb").unwrap().how,
            Resolution::Alias {
                name: "bb".into(),
                origin: "/etc/containers/registries.conf.d/x.conf".into()
            }
        );
        // The key is the name as written: "library/app" and "app" differ.
        assert_eq!(
            names(&rules, "library/app"),
            ["docker.io/library/app:latest"]
        );
        assert!(rules.candidates("app").is_err());
        // An empty alias is no alias: back to the search registries (an error here).
        let e = rules.candidates("gone").unwrap_err();
        assert!(matches!(e, Error::ShortNameEnforced { .. }), "{e}");
        // A broken alias names itself and its file.
        rules.aliases.insert("bad".into(), alias("bad", "b.conf"));
        rules
            .aliases
            .insert("tagged".into(), alias("quay.io/a:1", "t.conf"));
        for (name, file) in [("bad", "b.conf"), ("tagged", "t.conf")] {
            let e = rules.candidates(name).unwrap_err().to_string();
            assert!(e.contains(&format!("alias {name:?} in {file}")), "{e}");
        }
        // No alias and no search registries.
        let e = RegistryRules::default()
            .candidates("x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("did not resolve to an alias"), "{e}");
    }

    #[test]
    fn local_candidates_are_alias_localhost_then_every_search_registry() {
        let mut rules = RegistryRules {
            search: vec!["quay.io".into(), "docker.io".into()],
            short_name_mode: ShortNameMode::Enforcing,
            ..RegistryRules::default()
        };
        let local = |r: &RegistryRules, input: &str| -> Vec<String> {
            r.local_candidates(input)
                .unwrap()
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        // Enforcing mode does not matter locally.
        assert_eq!(
            local(&rules, "bb:1"),
            ["localhost/bb:1", "quay.io/bb:1", "docker.io/library/bb:1"]
        );
        rules
            .aliases
            .insert("bb".into(), alias("reg.test:5000/tools/bb", "a.conf"));
        assert_eq!(
            local(&rules, "bb"),
            [
                "reg.test:5000/tools/bb:latest",
                "localhost/bb:latest",
                "quay.io/bb:latest",
                "docker.io/library/bb:latest"
            ]
        );
        // Qualified names are themselves; no search registries is no error.
        assert_eq!(local(&rules, "quay.io/x/y"), ["quay.io/x/y:latest"]);
        assert_eq!(
            local(&RegistryRules::default(), "ns/x"),
            ["localhost/ns/x:latest"]
        );
        // A broken alias is still an error naming it.
        rules.aliases.insert("bad".into(), alias("bad", "b.conf"));
        let e = rules.local_candidates("bad").unwrap_err().to_string();
        assert!(e.contains("alias \"bad\" in b.conf"), "{e}");
    }
}
