//! Go's literals in actions: quoted and raw strings (`strconv.Unquote`),
//! character constants and numbers (decimal, hex, octal, binary, `_`
//! separators, floats), with the forms a number can take.

/// A number literal with the forms it can take, as Go's `NumberNode`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Num {
    pub int: Option<i64>,
    pub uint: Option<u64>,
    pub float: Option<f64>,
    /// Written as a float (`1.0`, `1e3`), so untyped it is a float64.
    pub float_syntax: bool,
    pub text: String,
}

/// Go's `strconv.Unquote` for `"..."` and `` `...` `` strings.
pub(super) fn unquote(s: &str) -> Result<String, String> {
    if let Some(raw) = s.strip_prefix('`') {
        return Ok(raw.trim_end_matches('`').replace('\r', ""));
    }
    let body = &s[1..s.len() - 1];
    unescape(body, '"').ok_or_else(|| format!("invalid syntax in string {s}"))
}

/// Go's escapes inside a quoted string or character constant.
fn unescape(body: &str, quote: char) -> Option<String> {
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        let hex = |chars: &mut std::str::Chars<'_>, n: usize| -> Option<u32> {
            let digits: String = chars.by_ref().take(n).collect();
            if digits.len() != n {
                return None;
            }
            u32::from_str_radix(&digits, 16).ok()
        };
        match e {
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '\\' => out.push('\\'),
            q if q == quote => out.push(q),
            'x' => out.push(char::from_u32(hex(&mut chars, 2)?).filter(|c| (*c as u32) < 0x80)?),
            'u' => out.push(char::from_u32(hex(&mut chars, 4)?)?),
            'U' => out.push(char::from_u32(hex(&mut chars, 8)?)?),
            '0'..='7' => {
                let rest: String = chars.by_ref().take(2).collect();
                let n = u32::from_str_radix(&format!("{e}{rest}"), 8).ok()?;
                if rest.len() != 2 || n > 0x7f {
                    return None;
                }
                out.push(char::from_u32(n)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Go's `NumberNode`: which of int, uint and float a literal can be.
pub(super) fn parse_number(text: &str) -> Result<Num, String> {
    let illegal = || format!("illegal number syntax: {text:?}");
    let mut num = Num {
        int: None,
        uint: None,
        float: None,
        float_syntax: false,
        text: text.to_owned(),
    };
    if let Some(body) = text.strip_prefix('\'') {
        let body = body.strip_suffix('\'').ok_or_else(illegal)?;
        let s =
            unescape(body, '\'').ok_or_else(|| format!("malformed character constant: {text}"))?;
        let mut chars = s.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            return Err(format!("malformed character constant: {text}"));
        };
        let n = c as u32;
        num.int = Some(n.into());
        num.uint = Some(n.into());
        num.float = Some(n.into());
        return Ok(num);
    }
    if text.ends_with('i') {
        return Err("complex numbers are not supported".into());
    }
    let (neg, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = unsigned.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1
        && lower.starts_with('0')
        && lower.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    let int_like = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c == '_' || c.is_digit(radix));
    if int_like {
        let clean = digits.replace('_', "");
        if let Ok(mag) = u128::from_str_radix(&clean, radix) {
            if !neg {
                num.uint = u64::try_from(mag).ok();
            }
            let signed = if neg { -(mag as i128) } else { mag as i128 };
            num.int = i64::try_from(signed).ok();
            if let Some(i) = num.int {
                num.float = Some(i as f64);
            } else if let Some(u) = num.uint {
                num.float = Some(u as f64);
            }
        }
        if num.int.is_none() && num.uint.is_none() {
            return Err(format!("integer overflow: {text:?}"));
        }
        return Ok(num);
    }
    if radix != 10 || unsigned.contains('_') {
        return Err(illegal());
    }
    let f: f64 = text.parse().map_err(|_| illegal())?;
    if !f.is_finite() {
        return Err(illegal());
    }
    num.float = Some(f);
    num.float_syntax = true;
    if f.fract() == 0.0 && f.abs() < 9.2e18 {
        num.int = Some(f as i64);
        if f >= 0.0 {
            num.uint = Some(f as u64);
        }
    }
    Ok(num)
}
