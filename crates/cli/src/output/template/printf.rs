//! Go's `fmt.Sprintf` for the template function `printf`, with Go's
//! limits on widths and precisions.

use super::{display, type_name, Budget};
use serde_json::Value;

/// Go's fmt refuses a width or precision whose magnitude passes this
/// (`tooLarge` in fmt/print.go).
const GO_NUM_LIMIT: usize = 1_000_000;

/// What Go's fmt does with the digits of a width or precision: the
/// number and whether there were digits, or `None` when the number grew
/// past [`GO_NUM_LIMIT`] before its last digit, in which case Go gives up
/// on the rest of the format (`%!(NOVERB)`).
fn go_parsenum(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<(usize, bool)> {
    let mut num = 0usize;
    let mut present = false;
    while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
        if num > GO_NUM_LIMIT {
            return None;
        }
        num = num * 10 + d as usize;
        present = true;
        chars.next();
    }
    Some((num, present))
}

/// A `*` width or precision taken from the arguments, as Go's `intFromArg`:
/// `None` for a non-integer or one past [`GO_NUM_LIMIT`].
fn star_arg<'a>(args: &mut impl Iterator<Item = &'a Value>) -> Option<i64> {
    let n = args.next()?.as_i64()?;
    (n.unsigned_abs() <= GO_NUM_LIMIT as u64).then_some(n)
}

/// Go's `fmt.Sprintf` for the verbs `%s %v %d %q`, flag `-`, width and
/// precision (digits or `*`). Widths and precisions obey Go's limit of a
/// million, with Go's `%!(NOVERB)`, `%!(BADWIDTH)` and `%!(BADPREC)`, and
/// the result is checked against `budget` before each padding is made.
pub(super) fn printf(fmt: &str, args: &[Value], budget: &Budget) -> Result<String, String> {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        let mut left = false;
        while chars.next_if_eq(&'-').is_some() {
            left = true;
        }
        let mut width = None;
        if chars.next_if_eq(&'*').is_some() {
            match star_arg(&mut args) {
                Some(n) => {
                    left |= n < 0;
                    width = Some(n.unsigned_abs() as usize);
                }
                None => out.push_str("%!(BADWIDTH)"),
            }
        } else {
            let Some((w, present)) = go_parsenum(&mut chars) else {
                out.push_str("%!(NOVERB)");
                break;
            };
            width = present.then_some(w);
        }
        let mut precision = None;
        if chars.next_if_eq(&'.').is_some() {
            if chars.next_if_eq(&'*').is_some() {
                match star_arg(&mut args) {
                    Some(n) if n >= 0 => precision = Some(n as usize),
                    _ => out.push_str("%!(BADPREC)"),
                }
            } else {
                let Some((p, _)) = go_parsenum(&mut chars) else {
                    out.push_str("%!(NOVERB)");
                    break;
                };
                precision = Some(p);
            }
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        let arg = args.next().ok_or("printf has fewer arguments than verbs")?;
        let text = match verb {
            's' | 'v' | 'q' => {
                let mut s = display(arg);
                // A precision cuts a string to that many characters.
                if let Some((cut, _)) = precision.and_then(|p| s.char_indices().nth(p)) {
                    s.truncate(cut);
                }
                if verb == 'q' {
                    serde_json::to_string(&s).map_err(|e| e.to_string())?
                } else {
                    s
                }
            }
            'd' => match arg {
                Value::Number(n) if n.is_i64() || n.is_u64() => {
                    // A precision is the least number of digits.
                    let digits = n.to_string();
                    let (sign, digits) = match digits.strip_prefix('-') {
                        Some(d) => ("-", d),
                        None => ("", digits.as_str()),
                    };
                    let zeros = precision.unwrap_or(0).saturating_sub(digits.len());
                    budget.check(out.len().saturating_add(zeros))?;
                    format!("{sign}{}{digits}", "0".repeat(zeros))
                }
                other => return Err(format!("%d of {}", type_name(other))),
            },
            other => return Err(format!("printf verb %{other} is not supported")),
        };
        let pad = width.unwrap_or(0).saturating_sub(text.chars().count());
        budget.check(out.len() + text.len() + pad)?;
        if left {
            out.push_str(&text);
            out.extend(std::iter::repeat_n(' ', pad));
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&text);
        }
    }
    Ok(out)
}
