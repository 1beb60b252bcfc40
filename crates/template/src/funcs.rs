//! The functions a template may call: Go's builtins (`and`, `or`, `not`,
//! `len`, `index`, `slice`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `print`,
//! `printf`, `println`, `html`, `js`, `urlquery`, `call`) and podman's
//! (`json`, `lower`, `upper`, `title`, `split`, `join`, `truncate`, `pad`),
//! with Go's argument counts, type rules and errors.

use super::exec::{truth, State, Val};
use super::parse::Arg;
use super::printf::{self, go_type};
use serde_json::Value;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt::Write as _;

/// Fixed argument counts, or the least for variadic functions.
fn arity(name: &str) -> (usize, bool) {
    match name {
        "and" | "or" | "index" | "slice" | "eq" | "printf" | "call" => (1, true),
        "html" | "js" | "urlquery" | "print" | "println" => (0, true),
        "ne" | "lt" | "le" | "gt" | "ge" | "split" | "join" | "truncate" => (2, false),
        "pad" => (3, false),
        _ => (1, false),
    }
}

/// Calls function `name` with `args` (evaluated here, lazily for `and` and
/// `or`) and, from a pipeline, the previous command's value `fin`.
pub(super) fn call<'a>(
    st: &mut State<'a, '_>,
    dot: &Val<'a>,
    name: &str,
    args: &[Arg],
    fin: Option<Val<'a>>,
) -> Result<Val<'a>, String> {
    let n = args.len() + usize::from(fin.is_some());
    let (want, variadic) = arity(name);
    if variadic && n < want {
        return Err(format!(
            "wrong number of args for {name}: want at least {want} got {}",
            args.len()
        ));
    }
    if !variadic && n != want {
        return Err(format!(
            "wrong number of args for {name}: want {want} got {n}"
        ));
    }
    if name == "and" || name == "or" {
        let mut v = Val::Missing;
        for a in args {
            v = st.eval_arg(dot, a)?;
            if truth(&v) == (name == "or") {
                return Ok(v);
            }
        }
        return Ok(fin.unwrap_or(v));
    }
    let mut vals = Vec::with_capacity(n);
    for a in args {
        let v = st.eval_arg(dot, a)?;
        // In a table header, `join .Names ","` is the column's title.
        let v = match v {
            Val::Header(_) if name == "join" && vals.is_empty() => {
                let title = st.materialize(v).json().cloned().unwrap_or(Value::Null);
                Val::owned(Value::Array(vec![title]))
            }
            v => st.materialize(v),
        };
        vals.push(v);
    }
    if let Some(f) = fin {
        vals.push(st.materialize(f));
    }
    st.work(1)?;
    let made = builtin(st, name, args, vals)?;
    if let Some(Value::String(s)) = made.json() {
        st.budget.check(s.len())?;
        st.work(s.len() / 16)?;
    }
    Ok(made)
}

fn builtin<'a>(
    st: &State<'a, '_>,
    name: &str,
    nodes: &[Arg],
    mut vals: Vec<Val<'a>>,
) -> Result<Val<'a>, String> {
    let calling = |e: String| format!("error calling {name}: {e}");
    let string = |s: String| Ok(Val::owned(Value::String(s)));
    match name {
        "not" => Ok(Val::owned(Value::Bool(!truth(&vals[0])))),
        "len" => len(&vals[0]).map_err(calling),
        "index" => {
            let item = vals.remove(0);
            index(item, &vals).map_err(calling)
        }
        "slice" => {
            let item = vals.remove(0);
            slice(&item, &vals).map_err(calling)
        }
        "eq" => eq(&vals[0], &vals[1..]).map_err(calling).map(bool_val),
        "ne" => eq(&vals[0], &vals[1..])
            .map_err(calling)
            .map(|b| bool_val(!b)),
        "lt" => lt(&vals[0], &vals[1]).map_err(calling).map(bool_val),
        "le" => le(&vals[0], &vals[1]).map_err(calling).map(bool_val),
        "gt" => le(&vals[0], &vals[1])
            .map_err(calling)
            .map(|b| bool_val(!b)),
        "ge" => lt(&vals[0], &vals[1])
            .map_err(calling)
            .map(|b| bool_val(!b)),
        "print" => string(printf::sprint(&fmt_args(&vals))),
        "println" => string(printf::sprintln(&fmt_args(&vals))),
        "printf" => {
            let format = string_arg(&vals[0])?;
            string(printf::sprintf(&format, &fmt_args(&vals[1..]), &st.budget)?)
        }
        "html" => string(html(&eval_args(&vals))),
        "js" => string(js(&eval_args(&vals))),
        "urlquery" => string(urlquery(&eval_args(&vals))),
        "call" => Err(calling(match vals[0].json() {
            None => "call of nil".into(),
            Some(v) => format!(
                "non-function {} of type {}",
                nodes
                    .first()
                    .map_or_else(|| "<pipeline>".into(), Arg::describe),
                go_type(Some(v))
            ),
        })),
        "json" => {
            let mut s = String::new();
            super::verbs::go_json(vals[0].json().unwrap_or(&Value::Null), &mut s);
            string(s)
        }
        "lower" => string(string_arg(&vals[0])?.to_lowercase()),
        "upper" => string(string_arg(&vals[0])?.to_uppercase()),
        "title" => string(title(&string_arg(&vals[0])?)),
        "split" => {
            let s = string_arg(&vals[0])?;
            let sep = string_arg(&vals[1])?;
            let parts: Vec<Value> = if sep.is_empty() {
                s.chars().map(|c| Value::String(c.to_string())).collect()
            } else {
                s.split(sep.as_str())
                    .map(|p| Value::String(p.into()))
                    .collect()
            };
            Ok(Val::owned(Value::Array(parts)))
        }
        "join" => {
            let items = list_arg(&vals[0])?;
            let sep = string_arg(&vals[1])?;
            let seps = sep.len().saturating_mul(items.len().saturating_sub(1));
            st.budget
                .check(
                    items
                        .iter()
                        .map(String::len)
                        .fold(seps, usize::saturating_add),
                )
                .map_err(calling)?;
            string(items.join(&sep))
        }
        "truncate" => {
            let s = string_arg(&vals[0])?;
            let n = int_arg(&vals[1])?;
            if n < 0 {
                return Err(calling(format!(
                    "runtime error: slice bounds out of range [:{n}]"
                )));
            }
            // Go cuts bytes; a cut inside a character backs off to its start.
            let mut cut = (n as usize).min(s.len());
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            string(s[..cut].to_owned())
        }
        "pad" => {
            let s = string_arg(&vals[0])?;
            let (pre, post) = (int_arg(&vals[1])?, int_arg(&vals[2])?);
            if s.is_empty() {
                return string(s);
            }
            if pre < 0 || post < 0 {
                return Err(calling("strings: negative Repeat count".into()));
            }
            let total = (pre as u64)
                .saturating_add(post as u64)
                .saturating_add(s.len() as u64);
            st.budget
                .check(usize::try_from(total).unwrap_or(usize::MAX))
                .map_err(calling)?;
            string(format!(
                "{}{s}{}",
                " ".repeat(pre as usize),
                " ".repeat(post as usize)
            ))
        }
        _ => Err(format!("{name:?} is not a defined function")),
    }
}

fn bool_val<'a>(b: bool) -> Val<'a> {
    Val::owned(Value::Bool(b))
}

/// Operands for fmt: missing and null are nil.
fn fmt_args<'v>(vals: &'v [Val<'_>]) -> Vec<printf::Arg<'v>> {
    vals.iter()
        .map(|v| v.json().and_then(printf::arg))
        .collect()
}

/// Go's `evalArgs` for `html`, `js` and `urlquery`: one string as is,
/// else `fmt.Sprint` with nil shown as `<no value>`.
fn eval_args(vals: &[Val<'_>]) -> String {
    if let [v] = vals {
        if let Some(Value::String(s)) = v.json() {
            return s.clone();
        }
    }
    let no_value = Value::String("<no value>".into());
    let args: Vec<printf::Arg<'_>> = vals
        .iter()
        .map(|v| match v.json() {
            None | Some(Value::Null) => Some(&no_value),
            some => some,
        })
        .collect();
    printf::sprint(&args)
}

/// A `string` parameter. Null is berth's empty string; a missing value or
/// another type is Go's error.
fn string_arg(v: &Val<'_>) -> Result<String, String> {
    match v.json() {
        None => Err("invalid value; expected string".into()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Null) => Ok(String::new()),
        Some(other) => Err(format!(
            "wrong type for value; expected string; got {}",
            go_type(Some(other))
        )),
    }
}

fn int_arg(v: &Val<'_>) -> Result<i64, String> {
    match v.json() {
        None => Err("invalid value; expected int".into()),
        Some(Value::Number(n)) if !n.is_f64() => {
            n.as_i64().ok_or_else(|| format!("{n} overflows int"))
        }
        Some(other) => Err(format!(
            "wrong type for value; expected int; got {}",
            go_type(Some(other))
        )),
    }
}

/// A `[]string` parameter: a list of strings; null and missing are empty.
fn list_arg(v: &Val<'_>) -> Result<Vec<String>, String> {
    let wrong = |t: &str| format!("wrong type for value; expected []string; got {t}");
    match v.json() {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok(s.clone()),
                _ => Err(wrong("[]interface {}")),
            })
            .collect(),
        Some(other) => Err(wrong(go_type(Some(other)))),
    }
}

fn len(v: &Val<'_>) -> Result<Val<'static>, String> {
    let n = match v.json() {
        None => return Err("len of untyped nil".into()),
        Some(Value::Null) => 0,
        Some(Value::String(s)) => s.len(),
        Some(Value::Array(a)) => a.len(),
        Some(Value::Object(m)) => m.len(),
        Some(other) => return Err(format!("len of type {}", go_type(Some(other)))),
    };
    Ok(Val::owned(Value::from(n)))
}

/// Go's `indexArg`: an integer index within `0..=cap`.
fn index_arg(i: &Val<'_>, cap: usize) -> Result<usize, String> {
    match i.json() {
        None | Some(Value::Null) => Err("cannot index slice/array with nil".into()),
        Some(Value::Number(n)) if !n.is_f64() => {
            let x = n.as_i64().unwrap_or(i64::MAX);
            if x < 0 || x as u64 > cap as u64 {
                Err(format!("index out of range: {x}"))
            } else {
                Ok(x as usize)
            }
        }
        Some(other) => Err(format!(
            "cannot index slice/array with type {}",
            go_type(Some(other))
        )),
    }
}

fn index<'a>(item: Val<'a>, indexes: &[Val<'a>]) -> Result<Val<'a>, String> {
    if item.json().is_none() {
        return Err("index of untyped nil".into());
    }
    let mut item = item;
    for i in indexes {
        item = match item {
            Val::Json(Cow::Borrowed(v)) => index_one(v, i)?,
            Val::Json(Cow::Owned(v)) => index_one(&v, i)?.map(|c| Cow::Owned(c.into_owned())),
            other => return Ok(other),
        }
        .map_or(Val::owned(Value::Null), Val::Json);
    }
    Ok(item)
}

/// One step of `index`: `None` is the zero value (a missing map key gives
/// the empty string, as podman's maps of strings do).
fn index_one<'v>(v: &'v Value, i: &Val<'_>) -> Result<Option<Cow<'v, Value>>, String> {
    match v {
        Value::Array(a) => {
            let x = index_arg(i, a.len())?;
            a.get(x)
                .map(|e| Some(Cow::Borrowed(e)))
                .ok_or_else(|| format!("index out of range: {x}"))
        }
        Value::String(s) => {
            let x = index_arg(i, s.len())?;
            s.as_bytes()
                .get(x)
                .map(|b| Some(Cow::Owned(Value::from(*b))))
                .ok_or_else(|| format!("index out of range: {x}"))
        }
        Value::Object(m) => match i.json() {
            Some(Value::String(k)) => Ok(m.get(k).map(Cow::Borrowed)),
            None | Some(Value::Null) => Err("value is nil; should be of type string".into()),
            Some(other) => Err(format!(
                "value has type {}; should be string",
                go_type(Some(other))
            )),
        },
        Value::Null => {
            if let Some(Value::String(_)) = i.json() {
                return Ok(None);
            }
            index_arg(i, 0)?;
            Err("index out of range: 0".into())
        }
        other => Err(format!("can't index item of type {}", go_type(Some(other)))),
    }
}

fn slice<'a>(item: &Val<'a>, indexes: &[Val<'a>]) -> Result<Val<'a>, String> {
    let Some(v) = item.json() else {
        return Err("slice of untyped nil".into());
    };
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let cap = match v {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            s.len()
        }
        Value::Array(a) => a.len(),
        Value::Null => 0,
        other => return Err(format!("can't slice item of type {}", go_type(Some(other)))),
    };
    let mut idx = [0, cap, cap];
    for (k, i) in indexes.iter().enumerate() {
        idx[k] = index_arg(i, cap)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    Ok(Val::owned(match v {
        Value::String(s) => {
            Value::String(String::from_utf8_lossy(&s.as_bytes()[idx[0]..idx[1]]).into_owned())
        }
        Value::Array(a) => Value::Array(a[idx[0]..idx[1]].to_vec()),
        _ => Value::Null,
    }))
}

/// Go's basic kinds for comparisons; `None` for nil, lists and maps.
#[derive(PartialEq)]
enum Kind<'v> {
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(&'v str),
}

fn kind<'v>(v: &'v Val<'_>) -> Option<Kind<'v>> {
    match v.json()? {
        Value::Bool(b) => Some(Kind::Bool(*b)),
        Value::Number(n) if n.is_f64() => n.as_f64().map(Kind::Float),
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .map(Kind::Int),
        Value::String(s) => Some(Kind::Str(s)),
        _ => None,
    }
}

fn kind_name(k: &Kind<'_>) -> &'static str {
    match k {
        Kind::Bool(_) => "bool",
        Kind::Int(_) => "int",
        Kind::Float(_) => "float64",
        Kind::Str(_) => "string",
    }
}

fn is_nil(v: &Val<'_>) -> bool {
    matches!(v.json(), None | Some(Value::Null))
}

fn type_of(v: &Val<'_>) -> &'static str {
    go_type(v.json())
}

fn eq(a: &Val<'_>, others: &[Val<'_>]) -> Result<bool, String> {
    if others.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = kind(a);
    for b in others {
        let k2 = kind(b);
        let same = match (&k1, &k2) {
            (Some(x), Some(y)) if std::mem::discriminant(x) == std::mem::discriminant(y) => x == y,
            (Some(_), Some(_)) => {
                return Err(format!(
                    "incompatible types for comparison: {} and {}",
                    type_of(a),
                    type_of(b)
                ))
            }
            (Some(_), None) | (None, Some(_)) => {
                if !is_nil(a) && !is_nil(b) {
                    return Err(format!(
                        "incompatible types for comparison: {} and {}",
                        type_of(a),
                        type_of(b)
                    ));
                }
                false
            }
            (None, None) => {
                if is_nil(a) || is_nil(b) {
                    is_nil(a) == is_nil(b)
                } else if type_of(a) != type_of(b) {
                    return Err(format!(
                        "non-comparable types {}: {}, {}: {}",
                        show(a),
                        type_of(a),
                        type_of(b),
                        show(b)
                    ));
                } else {
                    return Err(format!("non-comparable type {}: {}", show(b), type_of(b)));
                }
            }
        };
        if same {
            return Ok(true);
        }
    }
    Ok(false)
}

fn show(v: &Val<'_>) -> String {
    printf::format_v(v.json().and_then(printf::arg))
}

fn lt(a: &Val<'_>, b: &Val<'_>) -> Result<bool, String> {
    let bad = || "invalid type for comparison".to_owned();
    let k1 = kind(a).ok_or_else(bad)?;
    let k2 = kind(b).ok_or_else(bad)?;
    let ord = match (&k1, &k2) {
        (Kind::Int(x), Kind::Int(y)) => x.cmp(y),
        (Kind::Float(x), Kind::Float(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Kind::Str(x), Kind::Str(y)) => x.cmp(y),
        (Kind::Bool(_), Kind::Bool(_)) => return Err(bad()),
        _ => {
            return Err(format!(
                "incompatible types for comparison: {} and {}",
                kind_name(&k1),
                kind_name(&k2)
            ))
        }
    };
    Ok(ord == Ordering::Less)
}

fn le(a: &Val<'_>, b: &Val<'_>) -> Result<bool, String> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(a, std::slice::from_ref(b))
}

/// Go's `strings.Title`: the first letter of each word upper-cased.
fn title(s: &str) -> String {
    let separator = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else if c.is_alphanumeric() {
            false
        } else {
            c.is_whitespace()
        }
    };
    let mut out = String::with_capacity(s.len());
    let mut prev = ' ';
    for c in s.chars() {
        if separator(prev) {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev = c;
    }
    out
}

/// Go's `template.HTMLEscapeString`.
fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString`.
fn js(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c if c.is_ascii() || !c.is_control() => out.push(c),
            c => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
        }
    }
    out
}

/// Go's `url.QueryEscape`.
fn urlquery(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char);
            }
            b' ' => out.push('+'),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}
