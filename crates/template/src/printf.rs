//! Go's fmt for the template functions `printf`, `print` and `println`
//! and for printing values (`%v`): verbs `%v %s %q %d %t %c %U %b %o %O
//! %x %X %e %E %f %F %g %G %T` with flags `- + # 0 space`, width and
//! precision (digits, `*` or `[n]` argument indexes), and Go's error
//! forms (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA int=1)`,
//! `%!(NOVERB)`, `%!(BADWIDTH)`, `%!(BADPREC)`, `%!v(BADINDEX)`).
//! Widths and precisions obey Go's limit of a million, and what a call
//! makes is checked against the execution's budget before padding.

use super::verbs::print_arg;
use super::Budget;
use serde_json::Value;
use std::fmt::Write as _;

/// Go's fmt refuses a width or precision whose magnitude passes this
/// (`tooLarge` in fmt/print.go).
const GO_NUM_LIMIT: usize = 1_000_000;

/// An operand of a fmt call: `None` is Go's nil.
pub(super) type Arg<'v> = Option<&'v Value>;

/// The operand for a value: JSON null is nil.
pub(super) fn arg(v: &Value) -> Arg<'_> {
    (!v.is_null()).then_some(v)
}

/// Go's name of a value's type, as `%T` and error forms show it.
pub(super) fn go_type(v: Arg<'_>) -> &'static str {
    match v {
        None | Some(Value::Null) => "<nil>",
        Some(Value::Bool(_)) => "bool",
        Some(Value::Number(n)) if n.is_f64() => "float64",
        Some(Value::Number(_)) => "int",
        Some(Value::String(_)) => "string",
        Some(Value::Array(_)) => "[]interface {}",
        Some(Value::Object(_)) => "map[string]interface {}",
    }
}

/// Go's fmt flags of one verb.
#[derive(Default, Clone, Copy)]
pub(super) struct Flags {
    pub(super) minus: bool,
    pub(super) plus: bool,
    pub(super) sharp: bool,
    pub(super) space: bool,
    pub(super) zero: bool,
    pub(super) wid: Option<usize>,
    pub(super) prec: Option<usize>,
    /// `%+v` and `%#v`: Go sets these and clears plus and sharp.
    pub(super) plus_v: bool,
    pub(super) sharp_v: bool,
}

/// `fmt.Sprint`: spaces between operands when neither is a string.
pub(super) fn sprint(args: &[Arg<'_>]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a, Some(Value::String(_)));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        print_arg(&mut out, *a, 'v', Flags::default());
        prev_string = is_string;
    }
    out
}

/// `fmt.Sprintln`: spaces between all operands and a newline.
pub(super) fn sprintln(args: &[Arg<'_>]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        print_arg(&mut out, *a, 'v', Flags::default());
    }
    out.push('\n');
    out
}

/// Go's `%v` of a value.
pub(super) fn format_v(v: Arg<'_>) -> String {
    let mut out = String::new();
    print_arg(&mut out, v, 'v', Flags::default());
    out
}

/// Go's `parsenum`: the number and whether there were digits, or `None`
/// when it grew past [`GO_NUM_LIMIT`] before its last digit (Go then gives
/// up on the rest of the format).
fn parsenum(f: &[char], i: &mut usize) -> Option<(usize, bool)> {
    let mut num = 0usize;
    let mut present = false;
    while let Some(d) = f.get(*i).and_then(|c| c.to_digit(10)) {
        if num > GO_NUM_LIMIT {
            return None;
        }
        num = num * 10 + d as usize;
        present = true;
        *i += 1;
    }
    Some((num, present))
}

/// A `*` width or precision taken from the arguments, as Go's `intFromArg`.
fn int_from_arg(args: &[Arg<'_>], n: &mut usize) -> Option<i64> {
    let a = args.get(*n)?;
    *n += 1;
    let v = match a {
        Some(Value::Number(num)) if !num.is_f64() => num.as_i64()?,
        _ => return None,
    };
    (v.unsigned_abs() <= GO_NUM_LIMIT as u64).then_some(v)
}

/// `fmt.Sprintf`, checked against `budget` before each padding is made.
pub(super) fn sprintf(format: &str, args: &[Arg<'_>], budget: &Budget) -> Result<String, String> {
    let f: Vec<char> = format.chars().collect();
    let end = f.len();
    let mut out = String::new();
    let mut argn = 0usize;
    let mut reordered = false;
    let mut i = 0;
    'verbs: while i < end {
        let last = i;
        while i < end && f[i] != '%' {
            i += 1;
        }
        out.extend(&f[last..i]);
        if i >= end {
            break;
        }
        i += 1;
        let mut fl = Flags::default();
        while i < end {
            match f[i] {
                '#' => fl.sharp = true,
                '0' => fl.zero = !fl.minus,
                '+' => fl.plus = true,
                '-' => {
                    fl.minus = true;
                    fl.zero = false;
                }
                ' ' => fl.space = true,
                _ => break,
            }
            i += 1;
        }
        let mut good_argn = true;
        let mut after_index = arg_number(&f, &mut i, &mut argn, args.len(), &mut good_argn);
        reordered |= after_index || !good_argn;
        if i < end && f[i] == '*' {
            i += 1;
            match int_from_arg(args, &mut argn) {
                Some(n) => {
                    if n < 0 {
                        fl.minus = true;
                        fl.zero = false;
                    }
                    fl.wid = Some(n.unsigned_abs() as usize);
                }
                None => out.push_str("%!(BADWIDTH)"),
            }
            after_index = false;
        } else {
            let Some((w, present)) = parsenum(&f, &mut i) else {
                out.push_str("%!(NOVERB)");
                break 'verbs;
            };
            fl.wid = present.then_some(w);
            if after_index && present {
                good_argn = false;
            }
        }
        if i + 1 < end && f[i] == '.' {
            i += 1;
            if after_index {
                good_argn = false;
            }
            after_index = arg_number(&f, &mut i, &mut argn, args.len(), &mut good_argn);
            reordered |= after_index;
            if i < end && f[i] == '*' {
                i += 1;
                match int_from_arg(args, &mut argn) {
                    Some(n) if n >= 0 => fl.prec = Some(n as usize),
                    _ => out.push_str("%!(BADPREC)"),
                }
                after_index = false;
            } else {
                let Some((p, _)) = parsenum(&f, &mut i) else {
                    out.push_str("%!(NOVERB)");
                    break 'verbs;
                };
                fl.prec = Some(p);
            }
        }
        if !after_index {
            let found = arg_number(&f, &mut i, &mut argn, args.len(), &mut good_argn);
            reordered |= found || !good_argn;
        }
        let Some(&verb) = f.get(i) else {
            out.push_str("%!(NOVERB)");
            break;
        };
        i += 1;
        // What this verb can add: its padding and the value's own text.
        budget.check(
            out.len()
                .saturating_add(fl.wid.unwrap_or(0))
                .saturating_add(fl.prec.unwrap_or(0)),
        )?;
        match verb {
            '%' => out.push('%'),
            _ if !good_argn => {
                let _ = write!(out, "%!{verb}(BADINDEX)");
            }
            _ if argn >= args.len() => {
                let _ = write!(out, "%!{verb}(MISSING)");
            }
            _ => {
                if verb == 'v' {
                    fl.sharp_v = fl.sharp;
                    fl.sharp = false;
                    fl.plus_v = fl.plus;
                    fl.plus = false;
                }
                print_arg(&mut out, args[argn], verb, fl);
                argn += 1;
            }
        }
    }
    if !reordered && argn < args.len() {
        out.push_str("%!(EXTRA ");
        for (k, a) in args[argn..].iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            match a {
                None => out.push_str("<nil>"),
                Some(v) => {
                    out.push_str(go_type(Some(v)));
                    out.push('=');
                    print_arg(&mut out, *a, 'v', Flags::default());
                }
            }
        }
        out.push(')');
    }
    budget.check(out.len())?;
    Ok(out)
}

/// Go's `argNumber`: an explicit `[n]` argument index. Returns whether one
/// was found.
fn arg_number(f: &[char], i: &mut usize, argn: &mut usize, nargs: usize, good: &mut bool) -> bool {
    if f.get(*i) != Some(&'[') {
        return false;
    }
    let Some(close) = f[*i..].iter().position(|&c| c == ']') else {
        *good = false;
        *i += 1;
        return false;
    };
    let digits: String = f[*i + 1..*i + close].iter().collect();
    let ok = !digits.is_empty() && digits.len() < 8 && digits.chars().all(|c| c.is_ascii_digit());
    *i += close + 1;
    match digits.parse::<usize>() {
        Ok(n) if ok && n >= 1 && n <= nargs => {
            *argn = n - 1;
            true
        }
        _ => {
            *good = false;
            ok
        }
    }
}
