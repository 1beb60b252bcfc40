//! Go's text/template for `--format`, rendering `serde_json::Value` rows
//! the way podman renders its report structs.
//!
//! The language is Go's: actions with trim markers (`{{- ... -}}`) and
//! comments; `if`/`else if`/`else`, `with`/`else with`/`else`, `range`
//! (lists in order, maps in sorted key order, `$i, $v :=`, `else`,
//! `break`, `continue`); variables (`$x :=`, `$x =`, `$`); pipelines,
//! parenthesised arguments and field chains on results (`(index .A 0).B`).
//! Functions are Go's builtins and podman's (see `funcs`). `define`,
//! `template` and `block` are refused with a clear error.
//!
//! Values follow Go's rules for a JSON row: objects are maps (a missing key
//! prints `<no value>`), except the row itself, which stands for podman's
//! struct: a field it lacks is an error naming those it has. Numbers print
//! as Go prints int and float64 (`%v`: `1234`, `1.5`, `1e+21`); null prints
//! nothing. One execution makes at most [`MAX_OUTPUT`] bytes and takes at
//! most `exec::MAX_STEPS` steps; past either it fails with an error
//! saying so. Parsing refuses nesting deeper than `parse::MAX_DEPTH`.
//!
//! The modules follow Go's split: `lex` scans, `literal` reads
//! strings and numbers, `parse` builds the tree, `exec` walks it,
//! `funcs` holds the functions, `printf` and `verbs` Go's fmt.

use serde_json::Value;

mod exec;
mod funcs;
mod lex;
mod literal;
mod parse;
mod printf;
mod verbs;

pub use exec::display;
use parse::Node;

/// A template that does not parse or cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// Bad syntax at a byte offset of the template.
    #[error("template: {template:?}: line {line}, column {column}: {reason}", line = line_col(template, *offset).0, column = line_col(template, *offset).1)]
    Parse {
        /// The template text.
        template: String,
        /// Byte offset of the problem.
        offset: usize,
        /// What is wrong.
        reason: String,
    },
    /// A field that the row does not have, or a call that fails.
    #[error("template: executing {action:?} at line {line}, column {column}: {reason}")]
    Exec {
        /// The action's source text.
        action: String,
        /// 1-based line of the action.
        line: usize,
        /// 1-based column (in bytes) of the action.
        column: usize,
        /// What is wrong.
        reason: String,
    },
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// Maps a field path to its column title.
type HeaderFn<'a> = &'a dyn Fn(&[String]) -> String;

/// The most bytes one execution of a template may produce, its
/// intermediate values included: far above any real listing (a width of
/// Go's largest, ten million, still fits), low enough that a hostile
/// `--format` cannot exhaust memory.
pub const MAX_OUTPUT: usize = 64 << 20;

/// The bytes an execution may still produce. What goes to the output is
/// charged; a value made on the way (a function's result) is only checked
/// against what is left, before it is made, so one execution holds at most
/// a few times [`MAX_OUTPUT`].
struct Budget {
    left: usize,
}

impl Budget {
    fn new() -> Self {
        Self { left: MAX_OUTPUT }
    }

    /// Fails unless `n` more bytes fit.
    fn check(&self, n: usize) -> Result<(), String> {
        if n <= self.left {
            Ok(())
        } else {
            Err(format!(
                "output passes berth's limit of {} MiB for one template execution",
                MAX_OUTPUT >> 20
            ))
        }
    }

    /// Takes `n` bytes of output from what is left.
    fn charge(&mut self, n: usize) -> Result<(), String> {
        self.check(n)?;
        self.left -= n;
        Ok(())
    }
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    text: String,
    nodes: Vec<Node>,
}

impl Template {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let nodes = parse::parse(text).map_err(|(offset, reason)| TemplateError::Parse {
            template: text.to_owned(),
            offset,
            reason,
        })?;
        Ok(Self {
            text: text.to_owned(),
            nodes,
        })
    }

    /// Renders one row.
    pub fn render(&self, row: &Value) -> Result<String, TemplateError> {
        exec::execute(&self.text, &self.nodes, row, None)
    }

    /// Renders the header line of a table: every field reference becomes
    /// its column title from `header` (through `range` and `with` too).
    pub fn render_header(
        &self,
        header: &dyn Fn(&[String]) -> String,
    ) -> Result<String, TemplateError> {
        exec::execute(&self.text, &self.nodes, &Value::Null, Some(header))
    }

    /// Replaces spaces in literal text with tabs: podman makes every space
    /// of a `table` template a column break.
    pub fn spaces_to_tabs(&mut self) {
        fn walk(nodes: &mut [Node]) {
            for node in nodes {
                match node {
                    Node::Text(t) => *t = t.replace(' ', "\t"),
                    Node::If(c) | Node::With(c) | Node::Range(c) => {
                        walk(&mut c.list);
                        if let Some(e) = &mut c.else_list {
                            walk(e);
                        }
                    }
                    _ => {}
                }
            }
        }
        walk(&mut self.nodes);
    }
}

#[cfg(test)]
mod conformance;
#[cfg(test)]
mod tests;
