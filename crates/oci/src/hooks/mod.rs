//! OCI hooks: reading hook files (1.0.0 and 0.1.0) and injecting the ones that apply.
//!
//! Files are the `*.json` files of the hooks directories. A file in a later directory
//! replaces the file of the same name in an earlier one; the surviving files are applied in
//! name order. A 1.0.0 hook is injected when *all* its `when` conditions match; a 0.1.0 hook
//! (no `version` key) when *any* of its conditions matches.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use oci_spec::runtime::{Hook, HookBuilder, HooksBuilder, Spec};
use regex::Regex;
use serde_json::Value;

use crate::container_spec::ContainerSpec;
use crate::error::{Error, Result};

/// The lifecycle stages a hook can run at.
pub const STAGES: [&str; 6] = [
    "prestart",
    "createRuntime",
    "createContainer",
    "startContainer",
    "poststart",
    "poststop",
];

/// The injection conditions of a hook.
#[derive(Debug, Clone, Default)]
pub struct When {
    /// `always`.
    pub always: Option<bool>,
    /// `annotations`: (key regex, value regex) pairs; some annotation must match each.
    pub annotations: Vec<(Regex, Regex)>,
    /// `commands`: regexes matched against `process.args[0]`.
    pub commands: Vec<Regex>,
    /// `hasBindMounts`.
    pub has_bind_mounts: Option<bool>,
    /// any-of instead of all-of matching (0.1.0 files).
    pub or: bool,
}

impl When {
    fn has_condition(&self) -> bool {
        self.always.is_some()
            || !self.annotations.is_empty()
            || !self.commands.is_empty()
            || self.has_bind_mounts.is_some()
    }

    /// Whether the hook applies to a container with these annotations, command and bind mounts.
    pub fn matches(
        &self,
        annotations: &BTreeMap<String, String>,
        command: &str,
        has_bind_mounts: bool,
    ) -> bool {
        let mut results = Vec::new();
        if let Some(a) = self.always {
            results.push(a);
        }
        if let Some(b) = self.has_bind_mounts {
            results.push(b && has_bind_mounts);
        }
        for (k, v) in &self.annotations {
            results.push(
                annotations
                    .iter()
                    .any(|(ak, av)| k.is_match(ak) && v.is_match(av)),
            );
        }
        if !self.commands.is_empty() {
            results.push(self.commands.iter().any(|r| r.is_match(command)));
        }
        if self.or {
            results.iter().any(|r| *r)
        } else {
            !results.is_empty() && results.iter().all(|r| *r)
        }
    }
}

/// One parsed hook file.
#[derive(Debug, Clone)]
pub struct HookFile {
    /// The file it came from.
    pub path: PathBuf,
    /// The command to run.
    pub hook: Hook,
    /// When to inject it.
    pub when: When,
    /// Stages (names from [`STAGES`]).
    pub stages: Vec<String>,
}

fn bad(path: &Path, field: &str, reason: impl Into<String>) -> Error {
    Error::InvalidHook {
        path: path.to_owned(),
        field: field.into(),
        reason: reason.into(),
    }
}

fn regex(path: &Path, field: &str, pattern: &str) -> Result<Regex> {
    Regex::new(pattern).map_err(|e| {
        bad(
            path,
            field,
            format!("invalid regular expression {pattern:?}: {e}"),
        )
    })
}

fn string_list(
    path: &Path,
    obj: &serde_json::Map<String, Value>,
    key: &str,
) -> Result<Option<Vec<String>>> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(path, key, "must be a list of strings"))
            })
            .collect::<Result<Vec<_>>>()
            .map(Some),
        Some(_) => Err(bad(path, key, "must be a list of strings")),
    }
}

fn check_stages(path: &Path, field: &str, stages: &[String]) -> Result<()> {
    if stages.is_empty() {
        return Err(bad(path, field, "at least one stage is required"));
    }
    for s in stages {
        if !STAGES.contains(&s.as_str()) {
            return Err(bad(
                path,
                field,
                format!("unknown stage {s:?} (known: {})", STAGES.join(", ")),
            ));
        }
    }
    Ok(())
}

fn check_hook_path(path: &Path, field: &str, hook_path: &str) -> Result<()> {
    if !hook_path.starts_with('/') {
        return Err(bad(
            path,
            field,
            format!("{hook_path:?} must be an absolute path"),
        ));
    }
    if !Path::new(hook_path).exists() {
        return Err(bad(path, field, format!("{hook_path} does not exist")));
    }
    Ok(())
}

/// Parses the text of a hook file (`path` is used in errors only).
pub fn parse_hook(path: &Path, text: &str) -> Result<HookFile> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| bad(path, "(file)", format!("invalid JSON: {e}")))?;
    let obj = v
        .as_object()
        .ok_or_else(|| bad(path, "(file)", "must be a JSON object"))?;
    match obj.get("version") {
        None => parse_v010(path, obj),
        Some(Value::String(s)) if s == "1.0.0" => parse_v100(path, obj),
        Some(Value::String(s)) if s == "0.1.0" => parse_v010(path, obj),
        Some(other) => Err(bad(
            path,
            "version",
            format!("unsupported hook version {other} (supported: 1.0.0, 0.1.0)"),
        )),
    }
}

fn parse_v100(path: &Path, obj: &serde_json::Map<String, Value>) -> Result<HookFile> {
    let hook = obj
        .get("hook")
        .and_then(Value::as_object)
        .ok_or_else(|| bad(path, "hook", "missing or not an object"))?;
    let hook_path = hook
        .get("path")
        .and_then(Value::as_str)
        .ok_or_else(|| bad(path, "hook.path", "missing or not a string"))?;
    check_hook_path(path, "hook.path", hook_path)?;
    let mut b = HookBuilder::default().path(hook_path);
    if let Some(args) = string_list(path, hook, "args")
        .map_err(|_| bad(path, "hook.args", "must be a list of strings"))?
    {
        b = b.args(args);
    }
    if let Some(env) = string_list(path, hook, "env")
        .map_err(|_| bad(path, "hook.env", "must be a list of strings"))?
    {
        b = b.env(env);
    }
    match hook.get("timeout") {
        None | Some(Value::Null) => {}
        Some(t) => {
            let t = t
                .as_i64()
                .filter(|t| *t > 0)
                .ok_or_else(|| bad(path, "hook.timeout", "must be a positive integer (seconds)"))?;
            b = b.timeout(t);
        }
    }
    let hook = b.build()?;

    let when_v = obj
        .get("when")
        .and_then(Value::as_object)
        .ok_or_else(|| bad(path, "when", "missing or not an object"))?;
    let mut when = When::default();
    match when_v.get("always") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => when.always = Some(*b),
        Some(_) => return Err(bad(path, "when.always", "must be true or false")),
    }
    match when_v.get("hasBindMounts") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => when.has_bind_mounts = Some(*b),
        Some(_) => return Err(bad(path, "when.hasBindMounts", "must be true or false")),
    }
    match when_v.get("annotations") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                let v = v.as_str().ok_or_else(|| {
                    bad(
                        path,
                        "when.annotations",
                        format!("value for {k:?} must be a string"),
                    )
                })?;
                when.annotations.push((
                    regex(path, "when.annotations", k)?,
                    regex(path, "when.annotations", v)?,
                ));
            }
        }
        Some(_) => {
            return Err(bad(
                path,
                "when.annotations",
                "must be an object of regular expressions",
            ))
        }
    }
    for c in string_list(path, when_v, "commands")
        .map_err(|_| bad(path, "when.commands", "must be a list of strings"))?
        .unwrap_or_default()
    {
        when.commands.push(regex(path, "when.commands", &c)?);
    }
    if !when.has_condition() {
        return Err(bad(
            path,
            "when",
            "at least one condition (always, annotations, commands, hasBindMounts) is required",
        ));
    }
    let stages = string_list(path, obj, "stages")?.ok_or_else(|| bad(path, "stages", "missing"))?;
    check_stages(path, "stages", &stages)?;
    Ok(HookFile {
        path: path.to_owned(),
        hook,
        when,
        stages,
    })
}

/// Reads a singular/plural pair of keys (only one may be given).
fn either(
    path: &Path,
    obj: &serde_json::Map<String, Value>,
    plural: &str,
    singular: &str,
) -> Result<Option<Vec<String>>> {
    let p = string_list(path, obj, plural)?;
    let s = string_list(path, obj, singular)?;
    match (p, s) {
        (Some(_), Some(_)) => Err(bad(
            path,
            plural,
            format!("cannot set both {singular:?} and {plural:?}"),
        )),
        (p, s) => Ok(p.or(s)),
    }
}

fn parse_v010(path: &Path, obj: &serde_json::Map<String, Value>) -> Result<HookFile> {
    let hook_path = obj
        .get("hook")
        .and_then(Value::as_str)
        .ok_or_else(|| bad(path, "hook", "missing required property (a path string)"))?;
    check_hook_path(path, "hook", hook_path)?;
    let stages = either(path, obj, "stages", "stage")?
        .ok_or_else(|| bad(path, "stages", "missing required property"))?;
    check_stages(path, "stages", &stages)?;
    let cmds = either(path, obj, "cmds", "cmd")?.unwrap_or_default();
    let annotations = either(path, obj, "annotations", "annotation")?;
    let mut b = HookBuilder::default().path(hook_path);
    if let Some(args) = string_list(path, obj, "arguments")? {
        b = b.args(
            std::iter::once(hook_path.to_owned())
                .chain(args)
                .collect::<Vec<_>>(),
        );
    }
    let mut when = When {
        or: true,
        ..When::default()
    };
    match obj.get("hasbindmounts") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => when.has_bind_mounts = Some(*b),
        Some(_) => return Err(bad(path, "hasbindmounts", "must be true or false")),
    }
    for c in cmds {
        when.commands.push(regex(path, "cmds", &c)?);
    }
    if let Some(a) = annotations {
        when.annotations.push((
            regex(path, "annotations", ".*")?,
            regex(path, "annotations", &a.join("|"))?,
        ));
    }
    Ok(HookFile {
        path: path.to_owned(),
        hook: b.build()?,
        when,
        stages,
    })
}

/// The hooks of a set of directories.
#[derive(Debug, Clone, Default)]
pub struct HookSet {
    hooks: Vec<HookFile>,
}

impl HookSet {
    /// Reads every `*.json` file of `dirs` (later directories win on equal names). A missing
    /// directory is an error when `dir_not_exist_fatal`, else skipped. Any invalid file is an
    /// error naming the file and the field.
    pub fn load(dirs: &[PathBuf], dir_not_exist_fatal: bool) -> Result<Self> {
        let mut by_name: BTreeMap<String, PathBuf> = BTreeMap::new();
        for dir in dirs {
            let entries = match std::fs::read_dir(dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if dir_not_exist_fatal {
                        return Err(Error::HooksDirMissing { path: dir.clone() });
                    }
                    continue;
                }
                Err(e) => return Err(Error::io("read hooks dir", dir, e)),
            };
            for entry in entries {
                let entry = entry.map_err(|e| Error::io("read hooks dir", dir, e))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let is_file = entry.path().is_file();
                if is_file && Path::new(&name).extension().is_some_and(|e| e == "json") {
                    by_name.insert(name, entry.path());
                }
            }
        }
        let mut hooks = Vec::new();
        for path in by_name.into_values() {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Error::io("read hook file", &path, e))?;
            hooks.push(parse_hook(&path, &text)?);
        }
        Ok(Self { hooks })
    }

    /// A set from already parsed hooks (in the order given).
    pub fn from_hooks(hooks: Vec<HookFile>) -> Self {
        Self { hooks }
    }

    /// The hooks, in application order.
    pub fn hooks(&self) -> &[HookFile] {
        &self.hooks
    }

    /// Adds every matching hook to `spec.hooks`, after any hooks already there.
    pub fn inject(&self, spec: &mut Spec, input: &ContainerSpec) -> Result<()> {
        if self.hooks.is_empty() {
            return Ok(());
        }
        let annotations: BTreeMap<String, String> = spec
            .annotations()
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect();
        let command = spec
            .process()
            .as_ref()
            .and_then(|p| p.args().as_ref())
            .and_then(|a| a.first())
            .cloned()
            .unwrap_or_default();
        let has_binds = !input.mounts.is_empty();
        let existing = spec.hooks().clone().unwrap_or_default();
        let mut stages: BTreeMap<&str, Vec<Hook>> = BTreeMap::new();
        let get = |v: &Option<Vec<Hook>>| v.clone().unwrap_or_default();
        stages.insert("prestart", get(existing.prestart()));
        stages.insert("createRuntime", get(existing.create_runtime()));
        stages.insert("createContainer", get(existing.create_container()));
        stages.insert("startContainer", get(existing.start_container()));
        stages.insert("poststart", get(existing.poststart()));
        stages.insert("poststop", get(existing.poststop()));
        for h in self
            .hooks
            .iter()
            .filter(|h| h.when.matches(&annotations, &command, has_binds))
        {
            for s in &h.stages {
                if let Some(list) = stages.get_mut(s.as_str()) {
                    list.push(h.hook.clone());
                }
            }
        }
        let some = |v: Vec<Hook>| if v.is_empty() { None } else { Some(v) };
        let mut b = HooksBuilder::default();
        if let Some(v) = some(stages.remove("prestart").unwrap_or_default()) {
            b = b.prestart(v);
        }
        if let Some(v) = some(stages.remove("createRuntime").unwrap_or_default()) {
            b = b.create_runtime(v);
        }
        if let Some(v) = some(stages.remove("createContainer").unwrap_or_default()) {
            b = b.create_container(v);
        }
        if let Some(v) = some(stages.remove("startContainer").unwrap_or_default()) {
            b = b.start_container(v);
        }
        if let Some(v) = some(stages.remove("poststart").unwrap_or_default()) {
            b = b.poststart(v);
        }
        if let Some(v) = some(stages.remove("poststop").unwrap_or_default()) {
            b = b.poststop(v);
        }
        spec.set_hooks(Some(b.build()?));
        Ok(())
    }
}

#[cfg(test)]
mod tests;
