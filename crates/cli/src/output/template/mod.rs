//! A subset of Go's text/template for `--format`, rendering
//! `serde_json::Value` rows the way podman renders its report structs.
//!
//! Supported: literal text; `{{.}}`, `{{.Field}}`, `{{.Labels.key}}`;
//! string, number and boolean literals; functions `json`, `upper`, `lower`,
//! `title`, `join LIST SEP`, `printf FMT ARGS...`, `truncate S N`, `len`;
//! pipelines (`{{.ID | json}}`); whitespace trimming (`{{-`, `-}}`).
//! Not supported (a clear error): `range`, `if`, `with`, variables.
//!
//! `printf` takes Go's verbs `%s %v %d %q` with `-`, width and precision
//! (digits or `*`), and Go's limit of a million on both (`%!(NOVERB)`,
//! `%!(BADWIDTH)`, `%!(BADPREC)` as podman prints). One execution makes at
//! most [`MAX_OUTPUT`] bytes; past that it fails with an error saying so.
//!
//! Values print as Go's `%v` does: strings as is, lists as `[a b]`, maps as
//! `map[k:v]` with sorted keys, null as nothing.

use serde_json::Value;
use std::fmt::Write as _;

mod printf;
use printf::printf;

/// A template that does not parse or cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// Bad syntax at a byte offset of the template.
    #[error("template: {template:?}, at offset {offset}: {reason}")]
    Parse {
        /// The template text.
        template: String,
        /// Byte offset of the problem.
        offset: usize,
        /// What is wrong.
        reason: String,
    },
    /// A field that the row does not have, or a call that fails.
    #[error("template: executing {action:?}: {reason}")]
    Exec {
        /// The action's source text.
        action: String,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Action { source: String, pipeline: Vec<Cmd> },
}

#[derive(Debug, Clone, PartialEq)]
struct Cmd {
    args: Vec<Operand>,
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Field(Vec<String>),
    Func(String),
    Literal(Value),
}

/// Maps a field path to its column title.
type HeaderFn<'a> = &'a dyn Fn(&[String]) -> String;

const FUNCTIONS: &[&str] = &[
    "json", "upper", "lower", "title", "join", "printf", "truncate", "len",
];

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
    nodes: Vec<Node>,
}

impl Template {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let err = |offset: usize, reason: &str| TemplateError::Parse {
            template: text.to_owned(),
            offset,
            reason: reason.to_owned(),
        };
        let mut nodes = Vec::new();
        let mut rest = text;
        let mut offset = 0;
        let mut trim_next = false;
        while !rest.is_empty() {
            let Some(start) = rest.find("{{") else {
                let t = if trim_next { rest.trim_start() } else { rest };
                nodes.push(Node::Text(t.to_owned()));
                break;
            };
            let mut lit = &rest[..start];
            if trim_next {
                lit = lit.trim_start();
            }
            let after = &rest[start + 2..];
            let Some(end) = find_action_end(after) else {
                return Err(err(offset + start, "unclosed action: missing }}"));
            };
            let mut inner = &after[..end];
            if let Some(s) = inner.strip_prefix("- ") {
                lit = lit.trim_end();
                inner = s;
            } else if inner == "-" {
                return Err(err(offset + start, "empty action"));
            }
            trim_next = false;
            if let Some(s) = inner.strip_suffix(" -") {
                trim_next = true;
                inner = s;
            }
            if !lit.is_empty() {
                nodes.push(Node::Text(lit.to_owned()));
            }
            let pipeline = parse_pipeline(inner).map_err(|r| err(offset + start + 2, &r))?;
            nodes.push(Node::Action {
                source: format!("{{{{{}}}}}", inner.trim()),
                pipeline,
            });
            let consumed = start + 2 + end + 2;
            offset += consumed;
            rest = &rest[consumed..];
        }
        Ok(Self { nodes })
    }

    /// Renders one row.
    pub fn render(&self, row: &Value) -> Result<String, TemplateError> {
        self.render_with(row, None)
    }

    /// Renders the header line of a table: every field reference becomes
    /// its column title from `header`.
    pub fn render_header(
        &self,
        header: &dyn Fn(&[String]) -> String,
    ) -> Result<String, TemplateError> {
        self.render_with(&Value::Null, Some(header))
    }

    /// Replaces spaces in literal text with tabs: podman makes every space
    /// of a `table` template a column break.
    pub fn spaces_to_tabs(&mut self) {
        for node in &mut self.nodes {
            if let Node::Text(t) = node {
                *t = t.replace(' ', "\t");
            }
        }
    }

    fn render_with(
        &self,
        row: &Value,
        header: Option<HeaderFn<'_>>,
    ) -> Result<String, TemplateError> {
        let mut out = String::new();
        let mut budget = Budget::new();
        for node in &self.nodes {
            match node {
                Node::Text(t) => out.push_str(t),
                Node::Action { source, pipeline } => {
                    let shown = eval_pipeline(pipeline, row, header, &budget)
                        .and_then(|v| {
                            let shown = display(&v);
                            budget.charge(shown.len())?;
                            Ok(shown)
                        })
                        .map_err(|reason| TemplateError::Exec {
                            action: source.clone(),
                            reason,
                        })?;
                    out.push_str(&shown);
                }
            }
        }
        Ok(out)
    }
}

/// Finds the `}}` closing an action, skipping quoted strings.
fn find_action_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == b'\\' && q == b'"' {
                    i += 1;
                } else if b == q {
                    quote = None;
                }
            }
            None => {
                if b == b'"' || b == b'`' {
                    quote = Some(b);
                } else if b == b'}' && bytes.get(i + 1) == Some(&b'}') {
                    return Some(i);
                }
            }
        }
        i += 1;
    }
    None
}

fn parse_pipeline(inner: &str) -> Result<Vec<Cmd>, String> {
    let tokens = tokenize(inner)?;
    if tokens.is_empty() {
        return Err("empty action".into());
    }
    let mut pipeline = Vec::new();
    let mut args = Vec::new();
    for tok in tokens {
        match tok {
            Token::Pipe => {
                if args.is_empty() {
                    return Err("missing command before or after |".into());
                }
                pipeline.push(Cmd {
                    args: std::mem::take(&mut args),
                });
            }
            Token::Op(op) => args.push(op),
        }
    }
    if args.is_empty() {
        return Err("missing command after |".into());
    }
    pipeline.push(Cmd { args });
    for (i, cmd) in pipeline.iter().enumerate() {
        let first_is_func = matches!(cmd.args[0], Operand::Func(_));
        if !first_is_func && (cmd.args.len() > 1 || i > 0) {
            return Err("only a function can take arguments or follow |".into());
        }
        if cmd.args[1..].iter().any(|a| matches!(a, Operand::Func(_))) {
            return Err("nested function calls need parentheses, which are not supported".into());
        }
    }
    Ok(pipeline)
}

enum Token {
    Pipe,
    Op(Operand),
}

fn tokenize(s: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '|' {
            out.push(Token::Pipe);
            i += 1;
        } else if c == '"' {
            let mut lit = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("unterminated string".into()),
                    Some('"') => break,
                    Some('\\') => {
                        i += 1;
                        match chars.get(i) {
                            Some('n') => lit.push('\n'),
                            Some('t') => lit.push('\t'),
                            Some('\\') => lit.push('\\'),
                            Some('"') => lit.push('"'),
                            Some(o) => return Err(format!("unknown escape \\{o}")),
                            None => return Err("unterminated string".into()),
                        }
                    }
                    Some(&o) => lit.push(o),
                }
                i += 1;
            }
            i += 1;
            out.push(Token::Op(Operand::Literal(Value::String(lit))));
        } else if c == '`' {
            let start = i + 1;
            let Some(len) = chars[start..].iter().position(|&c| c == '`') else {
                return Err("unterminated raw string".into());
            };
            let lit: String = chars[start..start + len].iter().collect();
            out.push(Token::Op(Operand::Literal(Value::String(lit))));
            i = start + len + 1;
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '|' {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            out.push(Token::Op(parse_word(&word)?));
        }
    }
    Ok(out)
}

fn parse_word(word: &str) -> Result<Operand, String> {
    if word == "." {
        return Ok(Operand::Field(Vec::new()));
    }
    if let Some(path) = word.strip_prefix('.') {
        let parts: Vec<String> = path.split('.').map(str::to_owned).collect();
        if parts.iter().any(|p| {
            p.is_empty()
                || !p
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        }) {
            return Err(format!("bad field reference {word:?}"));
        }
        return Ok(Operand::Field(parts));
    }
    match word {
        "true" => return Ok(Operand::Literal(Value::Bool(true))),
        "false" => return Ok(Operand::Literal(Value::Bool(false))),
        "range" | "if" | "with" | "end" | "else" | "define" | "template" | "block" => {
            return Err(format!("{word:?} is not supported in berth's --format"))
        }
        _ => {}
    }
    if word.starts_with('$') || word.starts_with('(') {
        return Err("variables and parentheses are not supported in berth's --format".into());
    }
    if let Ok(n) = word.parse::<i64>() {
        return Ok(Operand::Literal(Value::from(n)));
    }
    if let Ok(f) = word.parse::<f64>() {
        return Ok(Operand::Literal(Value::from(f)));
    }
    if FUNCTIONS.contains(&word) {
        return Ok(Operand::Func(word.to_owned()));
    }
    Err(format!(
        "function {word:?} not defined; available: {}",
        FUNCTIONS.join(", ")
    ))
}

fn eval_pipeline(
    pipeline: &[Cmd],
    row: &Value,
    header: Option<HeaderFn<'_>>,
    budget: &Budget,
) -> Result<Value, String> {
    let mut prev: Option<Value> = None;
    for cmd in pipeline {
        let operand = |op: &Operand| -> Result<Value, String> {
            match op {
                Operand::Literal(v) => Ok(v.clone()),
                Operand::Field(path) => match header {
                    Some(h) => Ok(Value::String(h(path))),
                    None => lookup(row, path),
                },
                Operand::Func(f) => Err(format!("{f} cannot be an argument")),
            }
        };
        let value = match &cmd.args[0] {
            Operand::Func(name) => {
                let mut args = cmd.args[1..]
                    .iter()
                    .map(operand)
                    .collect::<Result<Vec<_>, _>>()?;
                if let Some(p) = prev.take() {
                    args.push(p);
                }
                call(name, &args, budget)?
            }
            op => operand(op)?,
        };
        prev = Some(value);
    }
    Ok(prev.unwrap_or(Value::Null))
}

fn lookup(row: &Value, path: &[String]) -> Result<Value, String> {
    let mut cur = row;
    for (i, key) in path.iter().enumerate() {
        match cur {
            Value::Object(map) => match map.get(key) {
                Some(v) => cur = v,
                None if i == 0 => {
                    let mut known: Vec<&str> = map.keys().map(String::as_str).collect();
                    known.sort_unstable();
                    return Err(format!(
                        "can't evaluate field {key}; valid fields: {}",
                        known.join(", ")
                    ));
                }
                None => return Ok(Value::Null),
            },
            other => {
                return Err(format!(
                    "can't evaluate field {key} in {}",
                    type_name(other)
                ))
            }
        }
    }
    Ok(cur.clone())
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "map",
    }
}

/// Calls a function; what it makes must fit in `budget`.
fn call(name: &str, args: &[Value], budget: &Budget) -> Result<Value, String> {
    let made = call_unchecked(name, args, budget)?;
    if let Value::String(s) = &made {
        budget.check(s.len())?;
    }
    Ok(made)
}

/// `printf` and `join`, whose results can be much longer than their
/// arguments, check `budget` before they build them.
fn call_unchecked(name: &str, args: &[Value], budget: &Budget) -> Result<Value, String> {
    let arity = |n: usize| -> Result<(), String> {
        if args.len() == n {
            Ok(())
        } else {
            Err(format!("{name} takes {n} argument(s), got {}", args.len()))
        }
    };
    match name {
        "json" => {
            arity(1)?;
            serde_json::to_string(&args[0])
                .map(Value::String)
                .map_err(|e| e.to_string())
        }
        "upper" => {
            arity(1)?;
            Ok(Value::String(display(&args[0]).to_uppercase()))
        }
        "lower" => {
            arity(1)?;
            Ok(Value::String(display(&args[0]).to_lowercase()))
        }
        "title" => {
            arity(1)?;
            let s = display(&args[0]);
            let mut out = String::with_capacity(s.len());
            let mut start = true;
            for c in s.chars() {
                if start {
                    out.extend(c.to_uppercase());
                } else {
                    out.push(c);
                }
                start = !c.is_alphanumeric();
            }
            Ok(Value::String(out))
        }
        "len" => {
            arity(1)?;
            let n = match &args[0] {
                Value::String(s) => s.chars().count(),
                Value::Array(a) => a.len(),
                Value::Object(m) => m.len(),
                Value::Null => 0,
                other => return Err(format!("len of {}", type_name(other))),
            };
            Ok(Value::from(n))
        }
        "join" => {
            arity(2)?;
            let ((Value::Array(list), Value::String(sep))
            | (Value::String(sep), Value::Array(list))) = (&args[0], &args[1])
            else {
                return Err("join takes a list and a separator string".into());
            };
            let items: Vec<String> = list.iter().map(display).collect();
            let seps = sep.len().saturating_mul(items.len().saturating_sub(1));
            budget.check(
                items
                    .iter()
                    .map(String::len)
                    .fold(seps, usize::saturating_add),
            )?;
            Ok(Value::String(items.join(sep)))
        }
        "truncate" => {
            arity(2)?;
            let (s, n) = match (&args[0], &args[1]) {
                (s, Value::Number(n)) | (Value::Number(n), s) => (display(s), n.as_u64()),
                _ => return Err("truncate takes a string and a length".into()),
            };
            let n = n.ok_or("truncate length must be a non-negative integer")? as usize;
            Ok(Value::String(s.chars().take(n).collect()))
        }
        "printf" => {
            let Some(Value::String(fmt)) = args.first() else {
                return Err("printf needs a format string first".into());
            };
            printf(fmt, &args[1..], budget).map(Value::String)
        }
        _ => Err(format!("function {name:?} not defined")),
    }
}

/// Go's `%v` of a value.
pub fn display(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) => {
            let mut out = String::from("[");
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(&display(item));
            }
            out.push(']');
            out
        }
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = String::from("map[");
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                let _ = write!(out, "{k}:{}", display(&m[k]));
            }
            out.push(']');
            out
        }
    }
}

#[cfg(test)]
mod tests;
