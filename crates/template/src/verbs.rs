//! Go's fmt verbs on one operand: `%v` of lists and maps element by
//! element, integers, floats (`strconv`'s shortest and fixed forms),
//! strings and quoting, and the `%!verb(type=value)` form for a verb that
//! does not fit the operand.

use super::printf::{go_type, Arg, Flags};
use serde_json::Value;
use std::fmt::Write as _;

/// Prints one operand with a verb and its flags.
pub(super) fn print_arg(out: &mut String, a: Arg<'_>, verb: char, fl: Flags) {
    let Some(v) = a.filter(|v| !v.is_null()) else {
        match verb {
            'T' | 'v' => pad(out, "<nil>", fl),
            _ => bad_verb(out, a, verb, fl),
        }
        return;
    };
    if verb == 'T' {
        pad(out, go_type(Some(v)), fl);
        return;
    }
    print_value(out, v, verb, fl, 0);
}

fn bad_verb(out: &mut String, a: Arg<'_>, verb: char, fl: Flags) {
    out.push_str("%!");
    out.push(verb);
    out.push('(');
    match a.filter(|v| !v.is_null()) {
        None => out.push_str("<nil>"),
        Some(v) => {
            out.push_str(go_type(Some(v)));
            out.push('=');
            print_value(out, v, 'v', fl, 0);
        }
    }
    out.push(')');
}

fn print_value(out: &mut String, v: &Value, verb: char, fl: Flags, depth: usize) {
    match v {
        Value::Null => {
            if depth == 0 {
                print_arg(out, None, verb, fl);
            } else if fl.sharp_v {
                out.push_str("interface {}(nil)");
            } else {
                out.push_str("<nil>");
            }
        }
        Value::Bool(b) => match verb {
            't' | 'v' => pad(out, if *b { "true" } else { "false" }, fl),
            _ => bad_verb(out, Some(v), verb, fl),
        },
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                fmt_float(out, f, verb, fl, v);
            } else {
                let i = n
                    .as_i64()
                    .map(i128::from)
                    .or_else(|| n.as_u64().map(i128::from))
                    .unwrap_or(0);
                fmt_integer(out, i, verb, fl, v);
            }
        }
        Value::String(s) => fmt_string(out, s, verb, fl, v),
        Value::Array(items) => {
            if fl.sharp_v {
                out.push_str("[]interface {}{");
                for (k, item) in items.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    print_value(out, item, verb, fl, depth + 1);
                }
                out.push('}');
                return;
            }
            out.push('[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                print_value(out, item, verb, fl, depth + 1);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str(if fl.sharp_v {
                "map[string]interface {}{"
            } else {
                "map["
            });
            for (k, (key, val)) in map.iter().enumerate() {
                if k > 0 {
                    out.push_str(if fl.sharp_v { ", " } else { " " });
                }
                fmt_string(out, key, verb, fl, v);
                out.push(':');
                print_value(out, val, verb, fl, depth + 1);
            }
            out.push(if fl.sharp_v { '}' } else { ']' });
        }
    }
}

/// Pads `s` to the width, by characters, as Go's `padString`.
fn pad(out: &mut String, s: &str, fl: Flags) {
    let n = s.chars().count();
    let fill = fl.wid.unwrap_or(0).saturating_sub(n);
    if fill == 0 {
        out.push_str(s);
    } else if fl.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', fill));
    } else {
        let c = if fl.zero { '0' } else { ' ' };
        out.extend(std::iter::repeat_n(c, fill));
        out.push_str(s);
    }
}

fn fmt_string(out: &mut String, s: &str, verb: char, fl: Flags, whole: &Value) {
    let cut = |s: &str| -> String {
        match fl.prec {
            Some(p) => s.chars().take(p).collect(),
            None => s.to_owned(),
        }
    };
    match verb {
        'v' if fl.sharp_v => pad(out, &go_quote(s, false), fl),
        's' | 'v' => pad(out, &cut(s), fl),
        'q' => {
            let s = cut(s);
            let q = if fl.sharp
                && !s.contains('`')
                && s.chars().all(|c| c == '\t' || !c.is_control())
            {
                format!("`{s}`")
            } else {
                go_quote(&s, fl.plus)
            };
            pad(out, &q, fl);
        }
        'x' | 'X' => {
            let bytes = s.as_bytes();
            let bytes = &bytes[..fl.prec.unwrap_or(bytes.len()).min(bytes.len())];
            let mut h = String::new();
            for (k, b) in bytes.iter().enumerate() {
                if fl.space && k > 0 {
                    h.push(' ');
                }
                if fl.sharp && (fl.space || k == 0) {
                    h.push_str(if verb == 'x' { "0x" } else { "0X" });
                }
                if verb == 'x' {
                    let _ = write!(h, "{b:02x}");
                } else {
                    let _ = write!(h, "{b:02X}");
                }
            }
            pad(out, &h, fl);
        }
        _ => bad_verb(out, Some(whole), verb, fl),
    }
}

fn fmt_integer(out: &mut String, i: i128, verb: char, fl: Flags, whole: &Value) {
    let (base, upper) = match verb {
        'v' | 'd' => (10, false),
        'b' => (2, false),
        'o' | 'O' => (8, false),
        'x' => (16, false),
        'X' => (16, true),
        'c' => {
            let c = u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            pad(out, &c.to_string(), fl);
            return;
        }
        'q' => {
            let c = u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            let q = go_quote(&c.to_string(), fl.plus);
            let inner = q[1..q.len() - 1].replace("\\\"", "\"");
            let inner = if c == '\'' { "\\'".to_owned() } else { inner };
            pad(out, &format!("'{inner}'"), fl);
            return;
        }
        'U' => {
            let mut s = format!("U+{:04X}", i.max(0));
            if fl.sharp {
                if let Some(c) = u32::try_from(i).ok().and_then(char::from_u32) {
                    if !c.is_control() {
                        let _ = write!(s, " '{c}'");
                    }
                }
            }
            pad(out, &s, fl);
            return;
        }
        _ => {
            bad_verb(out, Some(whole), verb, fl);
            return;
        }
    };
    let neg = i < 0;
    let mag = i.unsigned_abs();
    let mut digits = match base {
        2 => format!("{mag:b}"),
        8 => format!("{mag:o}"),
        16 if upper => format!("{mag:X}"),
        16 => format!("{mag:x}"),
        _ => mag.to_string(),
    };
    let mut prec = 0;
    if let Some(p) = fl.prec {
        if p == 0 && mag == 0 {
            let mut f = fl;
            f.zero = false;
            pad(out, "", f);
            return;
        }
        prec = p;
    } else if fl.zero && !fl.minus && fl.wid.is_some() {
        prec = fl.wid.unwrap_or(0);
        if neg || fl.plus || fl.space {
            prec = prec.saturating_sub(1);
        }
    }
    if digits.len() < prec {
        digits = format!("{}{digits}", "0".repeat(prec - digits.len()));
    }
    let mut s = String::new();
    if neg {
        s.push('-');
    } else if fl.plus {
        s.push('+');
    } else if fl.space {
        s.push(' ');
    }
    if fl.sharp || verb == 'O' {
        match (base, verb) {
            (8, 'O') => s.push_str("0o"),
            (8, _) if !digits.starts_with('0') => s.push('0'),
            (16, _) => s.push_str(if upper { "0X" } else { "0x" }),
            (2, _) => s.push_str("0b"),
            _ => {}
        }
    }
    s.push_str(&digits);
    let mut f = fl;
    f.zero = false;
    pad(out, &s, f);
}

/// Decimal digits of `f`'s magnitude and the exponent of the first:
/// shortest when `sig` is `None`, else rounded to `sig` significant digits.
fn digits(f: f64, sig: Option<usize>) -> (String, i32) {
    let s = match sig {
        None => format!("{:e}", f.abs()),
        Some(n) => format!("{:.*e}", n.saturating_sub(1), f.abs()),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    (mant.replace('.', ""), exp.parse().unwrap_or(0))
}

/// `d.ddde±XX` from digits and exponent, with `decimals` digits after the
/// point.
fn e_form(d: &str, exp: i32, decimals: usize, e: char) -> String {
    let mut s = String::new();
    s.push_str(&d[..1]);
    if decimals > 0 {
        s.push('.');
        let rest: String = d[1..]
            .chars()
            .chain(std::iter::repeat('0'))
            .take(decimals)
            .collect();
        s.push_str(&rest);
    }
    s.push(e);
    s.push(if exp < 0 { '-' } else { '+' });
    let _ = write!(s, "{:02}", exp.unsigned_abs());
    s
}

/// Fixed notation from digits (value `0.d × 10^dp`) with `decimals` places.
fn f_form(d: &str, dp: i32, decimals: usize) -> String {
    let d: Vec<char> = d.chars().collect();
    let at = |k: i32| -> char {
        if k >= 0 && (k as usize) < d.len() {
            d[k as usize]
        } else {
            '0'
        }
    };
    let mut s = String::new();
    if dp <= 0 {
        s.push('0');
    } else {
        for k in 0..dp {
            s.push(at(k));
        }
    }
    if decimals > 0 {
        s.push('.');
        for k in 0..decimals as i32 {
            s.push(at(dp + k));
        }
    }
    s
}

/// Go's `strconv.FormatFloat(f, 'g', prec, 64)` of a magnitude.
fn g_form(f: f64, prec: Option<usize>, e: char) -> String {
    let shortest = prec.is_none();
    let p = prec.map(|p| p.max(1));
    let (mut d, exp) = digits(f, p);
    if f == 0.0 {
        d = "0".into();
    }
    let trimmed = d.trim_end_matches('0');
    let d = if trimmed.is_empty() { "0" } else { trimmed };
    let nd = d.len() as i32;
    let dp = exp + 1;
    let mut eprec = p.map_or(nd, |p| p as i32);
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    if shortest {
        eprec = 6;
    }
    let prec = p.map_or(nd, |p| p as i32);
    if exp < -4 || exp >= eprec {
        let prec = prec.min(nd);
        return e_form(d, exp, (prec - 1).max(0) as usize, e);
    }
    let prec = if prec > dp { nd } else { prec };
    f_form(d, dp, (prec - dp).max(0) as usize)
}

fn fmt_float(out: &mut String, f: f64, verb: char, fl: Flags, whole: &Value) {
    let mag = f.abs();
    let body = match verb {
        'v' | 'g' => g_form(mag, fl.prec, 'e'),
        'G' => g_form(mag, fl.prec, 'E'),
        'e' | 'E' => {
            let p = fl.prec.unwrap_or(6);
            let (d, exp) = digits(mag, Some(p + 1));
            let exp = if mag == 0.0 { 0 } else { exp };
            e_form(&d, exp, p, verb)
        }
        'f' | 'F' => format!("{:.*}", fl.prec.unwrap_or(6), mag),
        'x' | 'X' => x_form(mag, fl.prec, verb),
        'b' => b_form(mag),
        _ => {
            bad_verb(out, Some(whole), verb, fl);
            return;
        }
    };
    let sign = if f.is_sign_negative() && f != 0.0 {
        "-"
    } else if fl.plus {
        "+"
    } else if fl.space {
        " "
    } else {
        ""
    };
    let len = sign.len() + body.len();
    let wid = fl.wid.unwrap_or(0);
    if fl.zero && !fl.minus && wid > len {
        out.push_str(sign);
        out.extend(std::iter::repeat_n('0', wid - len));
        out.push_str(&body);
        return;
    }
    let mut f2 = fl;
    f2.zero = false;
    pad(out, &format!("{sign}{body}"), f2);
}

/// Whether Go's `unicode.IsPrint` would hold, near enough.
fn is_print(c: char) -> bool {
    !(c.is_control()
        || matches!(
            c,
            '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
        )
        || (c.is_whitespace() && c != ' '))
}

/// Go's `strconv.Quote` (`ascii`: `QuoteToASCII`).
pub(super) fn go_quote(s: &str, ascii: bool) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c if !ascii && is_print(c) => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// Mantissa and binary exponent of a magnitude: `mant × 2^(exp - 52)`.
fn bits(f: f64) -> (u64, i32) {
    let b = f.to_bits();
    let mut exp = ((b >> 52) & 0x7FF) as i32;
    let mut mant = b & ((1 << 52) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1 << 52;
    }
    (mant, exp - 1023)
}

/// Go's `%b` of a float: `4503599627370496p-51`.
fn b_form(f: f64) -> String {
    let (mant, exp) = bits(f);
    let exp = exp - 52;
    format!("{mant}p{}{exp}", if exp >= 0 { "+" } else { "" })
}

/// Go's `%x`/`%X` of a float: `0x1.8p+00`, with an optional number of
/// hex digits after the point (rounded half to even).
fn x_form(f: f64, prec: Option<usize>, verb: char) -> String {
    let (mut mant, mut exp) = bits(f);
    if mant == 0 {
        exp = 0;
    }
    mant <<= 8;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if let Some(p) = prec.filter(|p| *p < 15) {
        let shift = p * 4;
        let extra = (mant << shift) & ((1 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let hex = |d: u64| {
        let c = char::from_digit((d & 15) as u32, 16).unwrap_or('0');
        if verb == 'X' {
            c.to_ascii_uppercase()
        } else {
            c
        }
    };
    let mut s = format!("0{verb}{}", (mant >> 60) & 1);
    mant <<= 4;
    match prec {
        None if mant != 0 => {
            s.push('.');
            while mant != 0 {
                s.push(hex(mant >> 60));
                mant <<= 4;
            }
        }
        Some(p) if p > 0 => {
            s.push('.');
            for _ in 0..p {
                s.push(hex(mant >> 60));
                mant <<= 4;
            }
        }
        _ => {}
    }
    s.push(if verb == 'X' { 'P' } else { 'p' });
    s.push(if exp < 0 { '-' } else { '+' });
    let _ = write!(s, "{:02}", exp.unsigned_abs());
    s
}

/// Go's `encoding/json` of a value (without HTML escaping, as podman's
/// `json` asks): floats as Go writes them (`2`, `1e+21`, `1e-7`).
pub(super) fn go_json(v: &Value, out: &mut String) {
    match v {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(0.0);
            let mag = f.abs();
            if mag != 0.0 && !(1e-6..1e21).contains(&mag) {
                let (digs, exp) = digits(mag, None);
                let mut e = e_form(&digs, exp, digs.len() - 1, 'e');
                if let Some(at) = e.find("e-0") {
                    e.remove(at + 2);
                }
                if f < 0.0 {
                    out.push('-');
                }
                out.push_str(&e);
            } else {
                let _ = write!(out, "{f}");
            }
        }
        Value::String(s) => {
            let q = serde_json::to_string(s).unwrap_or_default();
            out.push_str(
                &q.replace('\u{2028}', "\\u2028")
                    .replace('\u{2029}', "\\u2029"),
            );
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(&Value::String(k.clone()), out);
                out.push(':');
                go_json(item, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}
