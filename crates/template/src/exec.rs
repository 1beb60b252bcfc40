//! The executor: walks the tree over a JSON row with Go's rules for
//! truth, scopes of variables, `range` (arrays in order, maps in sorted
//! key order), field access and printing.

use super::funcs;
use super::parse::{Arg, Cmd, Control, Node, Pipe, Src};
use super::printf::format_v;
use super::{Budget, HeaderFn, TemplateError};
use serde_json::Value;
use std::borrow::Cow;

/// The most steps (nodes walked, loop turns, and a step per 16 bytes a
/// function makes) one execution may take, so that nested loops over a
/// large row cannot run for hours.
pub const MAX_STEPS: usize = 20_000_000;

/// A value during execution.
#[derive(Debug, Clone)]
pub(super) enum Val<'a> {
    /// Go's invalid value: what a missing map key gives; prints
    /// `<no value>`.
    Missing,
    /// A value of the row, or one made on the way.
    Json(Cow<'a, Value>),
    /// While rendering a table header: the column of a field path.
    Header(Vec<String>),
}

impl Val<'_> {
    pub fn owned(v: Value) -> Self {
        Val::Json(Cow::Owned(v))
    }

    /// The JSON value, `None` when missing (a header must be materialized
    /// first).
    pub fn json(&self) -> Option<&Value> {
        match self {
            Val::Json(v) => Some(v.as_ref()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

pub(super) struct State<'a, 'h> {
    root: &'a Value,
    header: Option<HeaderFn<'h>>,
    template: &'h str,
    vars: Vec<(String, Val<'a>)>,
    out: String,
    pub budget: Budget,
    steps: usize,
}

/// Runs a parsed template over `root` (or, with `header`, over the column
/// titles of a table).
pub(super) fn execute(
    template: &str,
    nodes: &[Node],
    root: &Value,
    header: Option<HeaderFn<'_>>,
) -> Result<String, TemplateError> {
    let dot = match header {
        Some(_) => Val::Header(Vec::new()),
        None => Val::Json(Cow::Borrowed(root)),
    };
    let mut st = State {
        root,
        header,
        template,
        vars: vec![("$".into(), dot.clone())],
        out: String::new(),
        budget: Budget::new(),
        steps: 0,
    };
    let top = Src {
        text: String::new(),
        offset: 0,
    };
    st.walk(&dot, nodes, &top)?;
    Ok(st.out)
}

impl<'a> State<'a, '_> {
    fn error(&self, src: &Src, reason: String) -> TemplateError {
        let before = &self.template[..src.offset.min(self.template.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        TemplateError::Exec {
            action: if src.text.is_empty() {
                "the template's text".into()
            } else {
                src.text.clone()
            },
            line,
            column,
            reason,
        }
    }

    /// Counts `n` steps against [`MAX_STEPS`].
    pub fn work(&mut self, n: usize) -> Result<(), String> {
        self.steps = self.steps.saturating_add(n);
        if self.steps > MAX_STEPS {
            return Err(format!(
                "execution passes berth's limit of {MAX_STEPS} steps for one template"
            ));
        }
        Ok(())
    }

    fn emit(&mut self, s: &str) -> Result<(), String> {
        self.budget.charge(s.len())?;
        self.out.push_str(s);
        Ok(())
    }

    fn walk(&mut self, dot: &Val<'a>, nodes: &[Node], parent: &Src) -> Result<Flow, TemplateError> {
        for node in nodes {
            self.work(1).map_err(|r| self.error(parent, r))?;
            match node {
                Node::Text(t) => self.emit(t).map_err(|r| self.error(parent, r))?,
                Node::Action { pipe, src } => {
                    let v = self.eval_pipe(dot, pipe).map_err(|r| self.error(src, r))?;
                    if pipe.decl.is_empty() {
                        let shown = self.show(&v);
                        self.emit(&shown).map_err(|r| self.error(src, r))?;
                    }
                }
                Node::If(c) | Node::With(c) => {
                    let mark = self.vars.len();
                    let flow = self.if_or_with(dot, c, matches!(node, Node::With(_)));
                    self.vars.truncate(mark);
                    match flow? {
                        Flow::Normal => {}
                        other => return Ok(other),
                    }
                }
                Node::Range(c) => {
                    let mark = self.vars.len();
                    let r = self.range(dot, c);
                    self.vars.truncate(mark);
                    r?;
                }
                Node::Break => return Ok(Flow::Break),
                Node::Continue => return Ok(Flow::Continue),
            }
        }
        Ok(Flow::Normal)
    }

    fn if_or_with(
        &mut self,
        dot: &Val<'a>,
        c: &Control,
        with: bool,
    ) -> Result<Flow, TemplateError> {
        let v = self
            .eval_pipe(dot, &c.pipe)
            .map_err(|r| self.error(&c.src, r))?;
        if truth(&v) {
            let dot = if with { &v } else { dot };
            self.walk(dot, &c.list, &c.src)
        } else if let Some(e) = &c.else_list {
            self.walk(dot, e, &c.src)
        } else {
            Ok(Flow::Normal)
        }
    }

    fn range(&mut self, dot: &Val<'a>, c: &Control) -> Result<(), TemplateError> {
        let v = self
            .eval_pipe(dot, &c.pipe)
            .map_err(|r| self.error(&c.src, r))?;
        let items: Vec<(Val<'a>, Val<'a>)> = match &v {
            Val::Missing => Vec::new(),
            Val::Header(p) => vec![(Val::Header(p.clone()), Val::Header(p.clone()))],
            Val::Json(cow) => match cow {
                Cow::Borrowed(v) => items_of(v, |x| Val::Json(Cow::Borrowed(x))),
                Cow::Owned(v) => items_of(v, |x| Val::owned(x.clone())),
            }
            .map_err(|r| self.error(&c.src, r))?,
        };
        if items.is_empty() {
            if let Some(e) = &c.else_list {
                self.walk(dot, e, &c.src)?;
            }
            return Ok(());
        }
        let mark = self.vars.len();
        for (index, elem) in items {
            self.work(1).map_err(|r| self.error(&c.src, r))?;
            let pipe = &c.pipe;
            if pipe.assign {
                let set = if pipe.decl.len() > 1 {
                    self.set_var(&pipe.decl[0], index)
                        .and_then(|()| self.set_var(&pipe.decl[1], elem.clone()))
                } else {
                    self.set_var(&pipe.decl[0], elem.clone())
                };
                set.map_err(|r| self.error(&c.src, r))?;
            } else {
                if !pipe.decl.is_empty() {
                    self.vars[mark - 1].1 = elem.clone();
                }
                if pipe.decl.len() > 1 {
                    self.vars[mark - 2].1 = index;
                }
            }
            let flow = self.walk(&elem, &c.list, &c.src);
            self.vars.truncate(mark);
            if flow? == Flow::Break {
                break;
            }
        }
        Ok(())
    }

    /// The text an action prints for a value.
    fn show(&self, v: &Val<'_>) -> String {
        match v {
            Val::Missing => "<no value>".into(),
            Val::Json(v) => display(v),
            Val::Header(p) => self.title(p),
        }
    }

    fn title(&self, path: &[String]) -> String {
        self.header.map(|h| h(path)).unwrap_or_default()
    }

    /// A header column becomes its title; other values stay.
    pub fn materialize(&self, v: Val<'a>) -> Val<'a> {
        match v {
            Val::Header(p) => Val::owned(Value::String(self.title(&p))),
            other => other,
        }
    }

    fn var(&self, name: &str) -> Result<Val<'a>, String> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("undefined variable: {name}"))
    }

    fn set_var(&mut self, name: &str, v: Val<'a>) -> Result<(), String> {
        match self.vars.iter_mut().rev().find(|(n, _)| n == name) {
            Some(slot) => {
                slot.1 = v;
                Ok(())
            }
            None => Err(format!("undefined variable: {name}")),
        }
    }

    pub fn eval_pipe(&mut self, dot: &Val<'a>, pipe: &Pipe) -> Result<Val<'a>, String> {
        let mut value = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_cmd(dot, cmd, value)?);
        }
        let value = value.unwrap_or(Val::Missing);
        for name in &pipe.decl {
            if pipe.assign {
                self.set_var(name, value.clone())?;
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn eval_cmd(
        &mut self,
        dot: &Val<'a>,
        cmd: &Cmd,
        fin: Option<Val<'a>>,
    ) -> Result<Val<'a>, String> {
        let has_args = cmd.args.len() > 1 || fin.is_some();
        let not_a_function = || -> Result<(), String> {
            if has_args {
                Err(format!(
                    "can't give argument to non-function {}",
                    cmd.args[0].describe()
                ))
            } else {
                Ok(())
            }
        };
        match &cmd.args[0] {
            Arg::Field(path) => self.chain(dot.clone(), path, has_args),
            Arg::Chain(node, path) => {
                let recv = self.eval_arg(dot, node)?;
                self.chain(recv, path, has_args)
            }
            Arg::Var(name, path) => {
                let v = self.var(name)?;
                if path.is_empty() {
                    not_a_function()?;
                    Ok(v)
                } else {
                    self.chain(v, path, has_args)
                }
            }
            Arg::Ident(name) => funcs::call(self, dot, name, &cmd.args[1..], fin),
            Arg::Pipe(p) => {
                not_a_function()?;
                self.eval_pipe(dot, p)
            }
            Arg::Nil => {
                not_a_function()?;
                Err("nil is not a command".into())
            }
            other => {
                not_a_function()?;
                self.eval_arg(dot, other)
            }
        }
    }

    /// An argument of a function or the head of a chain.
    pub fn eval_arg(&mut self, dot: &Val<'a>, arg: &Arg) -> Result<Val<'a>, String> {
        match arg {
            Arg::Dot => Ok(dot.clone()),
            Arg::Nil => Ok(Val::Missing),
            Arg::Bool(b) => Ok(Val::owned(Value::Bool(*b))),
            Arg::Str(s) => Ok(Val::owned(Value::String(s.clone()))),
            Arg::Number(n) => {
                if n.float_syntax {
                    let f = n.float.unwrap_or(0.0);
                    Ok(Val::owned(
                        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
                    ))
                } else if let Some(i) = n.int {
                    Ok(Val::owned(Value::from(i)))
                } else {
                    Err(format!("{} overflows int", n.text))
                }
            }
            Arg::Field(path) => self.chain(dot.clone(), path, false),
            Arg::Var(name, path) => {
                let v = self.var(name)?;
                self.chain(v, path, false)
            }
            Arg::Chain(node, path) => {
                let recv = self.eval_arg(dot, node)?;
                self.chain(recv, path, false)
            }
            Arg::Pipe(p) => self.eval_pipe(dot, p),
            Arg::Ident(name) => funcs::call(self, dot, name, &[], None),
        }
    }

    fn chain(&self, mut recv: Val<'a>, path: &[String], has_args: bool) -> Result<Val<'a>, String> {
        for (i, name) in path.iter().enumerate() {
            recv = self.field(recv, name, has_args && i + 1 == path.len())?;
        }
        Ok(recv)
    }

    /// Go's `evalField` on a JSON value: objects are maps (a missing key is
    /// `<no value>`), except the row itself, which is a struct: a field it
    /// does not have is an error naming the fields it has.
    fn field(&self, recv: Val<'a>, name: &str, has_args: bool) -> Result<Val<'a>, String> {
        match recv {
            Val::Missing => Ok(Val::Missing),
            Val::Header(mut p) => {
                p.push(name.to_owned());
                Ok(Val::Header(p))
            }
            Val::Json(Cow::Borrowed(v)) => Ok(self
                .lookup(v, name, has_args)?
                .map_or(Val::Missing, |c| Val::Json(Cow::Borrowed(c)))),
            Val::Json(Cow::Owned(v)) => Ok(self
                .lookup(&v, name, has_args)?
                .map_or(Val::Missing, |c| Val::owned(c.clone()))),
        }
    }

    fn lookup<'v>(
        &self,
        v: &'v Value,
        name: &str,
        has_args: bool,
    ) -> Result<Option<&'v Value>, String> {
        let is_root = std::ptr::eq(v, self.root);
        match v {
            Value::Object(map) => {
                if has_args {
                    return Err(if is_root {
                        format!("{name} has arguments but cannot be invoked as function")
                    } else {
                        format!("{name} is not a method but has arguments")
                    });
                }
                match map.get(name) {
                    Some(c) => Ok(Some(c)),
                    None if is_root => {
                        let known: Vec<&str> = map.keys().map(String::as_str).collect();
                        Err(format!(
                            "can't evaluate field {name}; valid fields: {}",
                            known.join(", ")
                        ))
                    }
                    None => Ok(None),
                }
            }
            Value::Null => Ok(None),
            other => Err(format!(
                "can't evaluate field {name} in type {}",
                super::printf::go_type(Some(other))
            )),
        }
    }
}

/// The (index, element) pairs `range` visits, or its error.
fn items_of<'v, 'a>(
    v: &'v Value,
    wrap: impl Fn(&'v Value) -> Val<'a>,
) -> Result<Vec<(Val<'a>, Val<'a>)>, String> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(a) => Ok(a
            .iter()
            .enumerate()
            .map(|(i, x)| (Val::owned(Value::from(i)), wrap(x)))
            .collect()),
        // serde_json's map keeps its keys sorted, as Go's range sorts them.
        Value::Object(m) => Ok(m
            .iter()
            .map(|(k, x)| (Val::owned(Value::String(k.clone())), wrap(x)))
            .collect()),
        other => Err(format!(
            "range can't iterate over {}",
            format_v(Some(other))
        )),
    }
}

/// Go's truth: false, 0, nil, and empty strings, lists and maps are false.
pub(super) fn truth(v: &Val<'_>) -> bool {
    match v {
        Val::Missing => false,
        Val::Header(_) => true,
        Val::Json(v) => match v.as_ref() {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(m) => !m.is_empty(),
        },
    }
}

/// Go's `%v` of a value, except that null prints nothing.
pub fn display(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        other => format_v(Some(other)),
    }
}
