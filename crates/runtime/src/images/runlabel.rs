//! runlabel: the command an image's label holds, with podman's substitutions.

use berth_storage::ImageRecord;

use super::image_error;
use crate::error::{Error, Result};
use crate::runtime::Runtime;

/// What `runlabel` makes a command of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunlabelOptions {
    /// The label (matched without regard to case).
    pub label: String,
    /// The image as given.
    pub image: String,
    /// Words appended to the label's command.
    pub args: Vec<String>,
    /// `--name`; else the image's last path component without its tag.
    pub name: Option<String>,
    /// What the command's first word `podman`/`docker`/`berth` becomes: this binary and
    /// the global flags it was given (so the command reaches the same store).
    pub engine: Vec<String>,
}

impl Runtime {
    /// The command of `opts.label` in a local image: `IMAGE`/`$IMAGE`/`${IMAGE}`/`=IMAGE`
    /// become the image's name, `NAME` (the same forms) the container name, `$OPT1`..`$OPT3`
    /// and `$PWD` their values from the environment (any other `$VAR` becomes empty, as in
    /// podman), and a first word `podman`, `docker` or `berth` becomes `opts.engine`.
    pub fn runlabel_command(&self, opts: &RunlabelOptions) -> Result<Vec<String>> {
        self.check()?;
        let img = self
            .storage
            .resolve_image(&opts.image)
            .map_err(image_error)?;
        let Some(label) = img
            .config
            .labels
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&opts.label))
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
        else {
            return Err(Error::invalid(
                "label",
                &opts.label,
                format!(
                    "cannot find the value of label: {} in image: {}",
                    opts.label, opts.image
                ),
            ));
        };
        runlabel_words(&label, &img, opts)
    }
}

fn substitute(arg: &str, word: &str, value: &str) -> String {
    if arg == word {
        return value.to_owned();
    }
    let mut s = arg
        .replace(&format!("${word}"), value)
        .replace(&format!("${{{word}}}"), value);
    if let Some(head) = s.strip_suffix(&format!("={word}")) {
        s = format!("{head}={value}");
    }
    s
}

/// Go's `os.Expand` with podman's mapper: OPT1-3 and PWD from the environment, else "".
fn expand(s: &str) -> String {
    let value = |k: &str| match k {
        "OPT1" | "OPT2" | "OPT3" => std::env::var(k).unwrap_or_default(),
        "PWD" => std::env::current_dir()
            .map(|d| d.to_string_lossy().into_owned())
            .unwrap_or_default(),
        _ => String::new(),
    };
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'{') {
            chars.next();
            let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
            out.push_str(&value(&name));
        } else {
            let mut name = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' {
                    name.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            if name.is_empty() {
                out.push('$');
            } else {
                out.push_str(&value(&name));
            }
        }
    }
    out
}

fn runlabel_words(label: &str, img: &ImageRecord, opts: &RunlabelOptions) -> Result<Vec<String>> {
    let image_name = img.names.first().cloned().unwrap_or_else(|| img.id.clone());
    let name = opts.name.clone().unwrap_or_else(|| {
        let from = if img.id.starts_with(&opts.image) {
            &image_name
        } else {
            &opts.image
        };
        let last = from.rsplit('/').next().unwrap_or(from);
        last.split(':').next().unwrap_or(last).to_owned()
    });
    let mut command = label.to_owned();
    if !opts.args.is_empty() {
        command = format!("{command} {}", opts.args.join(" "));
    }
    let bad = |why: &str| Error::invalid("label", label, why.to_owned());
    let words = shlex::split(&command).ok_or_else(|| bad("unbalanced quotes"))?;
    let (first, rest) = words.split_first().ok_or_else(|| bad("an empty command"))?;
    let engine = matches!(
        first.rsplit('/').next(),
        Some("podman" | "docker" | "berth")
    ) && (!first.contains('/') || first.ends_with("docker"));
    let mut out = if engine && !opts.engine.is_empty() {
        opts.engine
            .iter()
            .map(|w| shlex::try_quote(w).map_or_else(|_| w.clone(), Into::into))
            .collect()
    } else {
        vec![first.clone()]
    };
    for arg in rest {
        out.push(match arg.as_str() {
            "IMAGE=IMAGE" => format!("IMAGE={image_name}"),
            "NAME=NAME" => format!("NAME={name}"),
            a => substitute(&substitute(a, "NAME", &name), "IMAGE", &image_name),
        });
    }
    shlex::split(&expand(&out.join(" "))).ok_or_else(|| bad("unbalanced quotes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img() -> ImageRecord {
        ImageRecord {
            id: "abc123".into(),
            names: vec!["localhost/tool:latest".into()],
            digests: Vec::new(),
            manifest_digest: String::new(),
            layers: Vec::new(),
            diff_ids: Vec::new(),
            size: 0,
            created: None,
            architecture: "amd64".into(),
            os: "linux".into(),
            config: berth_storage::ImageConfig::default(),
            history: Vec::new(),
        }
    }

    #[test]
    fn words_get_podmans_substitutions() {
        let opts = RunlabelOptions {
            image: "tool".into(),
            engine: vec!["/usr/bin/berth".into(), "--root".into(), "/r".into()],
            args: vec!["extra".into()],
            ..RunlabelOptions::default()
        };
        let got = runlabel_words(
            "podman run --name NAME -e IMG=$IMAGE -e N=${NAME} IMAGE echo $HOME",
            &img(),
            &opts,
        )
        .unwrap();
        assert_eq!(
            got,
            [
                "/usr/bin/berth",
                "--root",
                "/r",
                "run",
                "--name",
                "tool",
                "-e",
                "IMG=localhost/tool:latest",
                "-e",
                "N=tool",
                "localhost/tool:latest",
                "echo",
                "extra"
            ]
        );
        let named = RunlabelOptions {
            name: Some("mine".into()),
            ..opts
        };
        let got = runlabel_words("/bin/echo NAME=NAME", &img(), &named).unwrap();
        assert_eq!(got, ["/bin/echo", "NAME=mine", "extra"]);
        assert!(runlabel_words("echo 'open", &img(), &named).is_err());
    }
}
