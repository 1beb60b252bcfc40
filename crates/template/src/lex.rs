//! The lexer: template text to tokens, as Go's text/template/parse scans
//! it. Trim markers (`{{- ` and ` -}}`) and comments (`{{/* ... */}}`) are
//! handled here, so the parser sees neither.

/// One token and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub kind: Tok,
    pub pos: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    /// Literal text between actions, already trimmed.
    Text(String),
    /// `{{`.
    LeftDelim,
    /// `}}`; `end` is the offset just past it.
    RightDelim { end: usize },
    /// A run of spaces inside an action.
    Space,
    /// `|`.
    Pipe,
    /// `(`.
    LeftParen,
    /// `)`.
    RightParen,
    /// `:=`.
    Declare,
    /// `=`.
    Assign,
    /// Any other printable ASCII character (`,` in range declarations).
    Char(char),
    /// `.Name`, without the dot.
    Field(String),
    /// `$` or `$name`, with the dollar.
    Variable(String),
    /// `.` alone.
    Dot,
    /// A function name.
    Identifier(String),
    /// A keyword: `if`, `else`, `end`, `range`, `with`, `break`, `continue`,
    /// `define`, `template`, `block`.
    Keyword(&'static str),
    /// `true` or `false`.
    Bool(bool),
    /// `nil`.
    Nil,
    /// A number or character constant, as written.
    Number(String),
    /// A quoted string, as written (quotes included).
    Str(String),
    /// End of input.
    Eof,
}

impl Tok {
    /// How Go names a token in "unexpected ..." errors.
    pub fn describe(&self) -> String {
        match self {
            Tok::Text(t) => quote_short(t),
            Tok::LeftDelim => "\"{{\"".into(),
            Tok::RightDelim { .. } => "\"}}\"".into(),
            Tok::Space => "space".into(),
            Tok::Pipe => "\"|\"".into(),
            Tok::LeftParen => "\"(\"".into(),
            Tok::RightParen => "\")\"".into(),
            Tok::Declare => "\":=\"".into(),
            Tok::Assign => "\"=\"".into(),
            Tok::Char(c) => format!("{:?}", c.to_string()),
            Tok::Field(f) => quote_short(&format!(".{f}")),
            Tok::Variable(v) | Tok::Identifier(v) | Tok::Number(v) | Tok::Str(v) => quote_short(v),
            Tok::Dot => "<.>".into(),
            Tok::Keyword(k) => format!("<{k}>"),
            Tok::Bool(b) => format!("\"{b}\""),
            Tok::Nil => "<nil>".into(),
            Tok::Eof => "EOF".into(),
        }
    }
}

fn quote_short(s: &str) -> String {
    if s.chars().count() > 10 {
        let head: String = s.chars().take(10).collect();
        format!("{head:?}...")
    } else {
        format!("{s:?}")
    }
}

const KEYWORDS: &[&str] = &[
    "if", "else", "end", "range", "with", "break", "continue", "define", "template", "block",
];

/// Go's space characters inside actions and for trimming.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

/// A lexing error: offset and reason.
pub(super) type LexError = (usize, String);

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    out: Vec<Token>,
    paren_depth: usize,
}

/// Splits `src` into tokens, ending with [`Tok::Eof`].
pub(super) fn lex(src: &str) -> Result<Vec<Token>, LexError> {
    let mut l = Lexer {
        src,
        pos: 0,
        out: Vec::new(),
        paren_depth: 0,
    };
    l.run()?;
    Ok(l.out)
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn emit(&mut self, kind: Tok, pos: usize) {
        self.out.push(Token { kind, pos });
    }

    fn run(&mut self) -> Result<(), LexError> {
        let mut trim_next = false;
        loop {
            let start = self.pos;
            let Some(i) = self.rest().find("{{") else {
                let mut text = self.rest();
                if trim_next {
                    text = text.trim_start_matches(is_space);
                }
                if !text.is_empty() {
                    self.emit(Tok::Text(text.to_owned()), start);
                }
                self.pos = self.src.len();
                self.emit(Tok::Eof, self.pos);
                return Ok(());
            };
            let delim = start + i;
            let after = &self.src[delim + 2..];
            let left_trim = after.starts_with('-') && after[1..].starts_with(is_space);
            let mut text = &self.src[start..delim];
            if trim_next {
                text = text.trim_start_matches(is_space);
            }
            if left_trim {
                text = text.trim_end_matches(is_space);
            }
            if !text.is_empty() {
                self.emit(Tok::Text(text.to_owned()), start);
            }
            self.pos = delim + 2 + if left_trim { 2 } else { 0 };
            trim_next = if self.rest().starts_with("/*") {
                self.comment(delim)?
            } else {
                self.emit(Tok::LeftDelim, delim);
                self.paren_depth = 0;
                self.inside_action(delim)?
            };
        }
    }

    /// Whether the input is at `}}` or ` -}}`; the second is a trim marker.
    fn at_right_delim(&self) -> Option<bool> {
        let r = self.rest();
        if r.starts_with("}}") {
            return Some(false);
        }
        let mut chars = r.chars();
        if chars.next().is_some_and(is_space) && chars.as_str().starts_with("-}}") {
            return Some(true);
        }
        None
    }

    /// Skips a comment; returns whether it ends with a trim marker.
    fn comment(&mut self, delim: usize) -> Result<bool, LexError> {
        let body = self.pos + 2;
        let Some(end) = self.src[body..].find("*/") else {
            return Err((delim, "unclosed comment".into()));
        };
        self.pos = body + end + 2;
        match self.at_right_delim() {
            Some(trim) => {
                self.pos += if trim { 4 } else { 2 };
                Ok(trim)
            }
            None => Err((delim, "comment ends before closing delimiter".into())),
        }
    }

    /// Lexes one action after its `{{`; returns whether it ends with a trim
    /// marker.
    fn inside_action(&mut self, delim: usize) -> Result<bool, LexError> {
        loop {
            if let Some(trim) = self.at_right_delim() {
                if self.paren_depth > 0 {
                    return Err((self.pos, "unclosed left paren".into()));
                }
                let pos = self.pos + if trim { 2 } else { 0 };
                self.pos = pos + 2;
                self.emit(Tok::RightDelim { end: self.pos }, pos);
                return Ok(trim);
            }
            let start = self.pos;
            let Some(c) = self.peek() else {
                return Err((delim, "unclosed action".into()));
            };
            self.pos += c.len_utf8();
            match c {
                c if is_space(c) => {
                    while let Some(c) = self.peek().filter(|&c| is_space(c)) {
                        // Leave the space that begins a ` -}}`.
                        let mut ahead = self.rest().chars();
                        ahead.next();
                        if ahead.as_str().starts_with("-}}") {
                            break;
                        }
                        self.pos += c.len_utf8();
                    }
                    self.emit(Tok::Space, start);
                }
                ':' => {
                    if self.peek() != Some('=') {
                        return Err((start, "expected :=".into()));
                    }
                    self.pos += 1;
                    self.emit(Tok::Declare, start);
                }
                '=' => self.emit(Tok::Assign, start),
                '|' => self.emit(Tok::Pipe, start),
                '"' => self.quote(start)?,
                '`' => {
                    let Some(end) = self.rest().find('`') else {
                        return Err((start, "unterminated raw quoted string".into()));
                    };
                    self.pos += end + 1;
                    self.emit(Tok::Str(self.src[start..self.pos].to_owned()), start);
                }
                '$' => {
                    if self.at_terminator() {
                        self.emit(Tok::Variable("$".into()), start);
                    } else {
                        self.alnum_run(start)?;
                        self.emit(Tok::Variable(self.src[start..self.pos].to_owned()), start);
                    }
                }
                '\'' => self.char_constant(start)?,
                '.' if !self.peek().is_some_and(|c| c.is_ascii_digit()) => {
                    if self.at_terminator() {
                        self.emit(Tok::Dot, start);
                    } else {
                        self.alnum_run(start)?;
                        self.emit(Tok::Field(self.src[start + 1..self.pos].to_owned()), start);
                    }
                }
                '.' | '+' | '-' | '0'..='9' => {
                    self.pos = start;
                    self.number(start)?;
                }
                '(' => {
                    self.emit(Tok::LeftParen, start);
                    self.paren_depth += 1;
                }
                ')' => {
                    if self.paren_depth == 0 {
                        return Err((start, "unexpected right paren".into()));
                    }
                    self.paren_depth -= 1;
                    self.emit(Tok::RightParen, start);
                }
                c if is_alnum(c) => {
                    self.pos = start;
                    self.alnum_run(start)?;
                    let word = &self.src[start..self.pos];
                    let tok = match word {
                        "true" => Tok::Bool(true),
                        "false" => Tok::Bool(false),
                        "nil" => Tok::Nil,
                        w => match KEYWORDS.iter().find(|k| **k == w) {
                            Some(k) => Tok::Keyword(k),
                            None => Tok::Identifier(w.to_owned()),
                        },
                    };
                    self.emit(tok, start);
                }
                c if c.is_ascii_graphic() => self.emit(Tok::Char(c), start),
                c => {
                    return Err((
                        start,
                        format!("unrecognized character in action: {}", unicode_name(c)),
                    ))
                }
            }
        }
    }

    /// Consumes letters, digits and `_`; what follows must end a word.
    fn alnum_run(&mut self, start: usize) -> Result<(), LexError> {
        while let Some(c) = self.peek().filter(|&c| is_alnum(c)) {
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            let c = self.peek().unwrap_or(' ');
            return Err((start, format!("bad character {}", unicode_name(c))));
        }
        Ok(())
    }

    /// Go's `atTerminator`: what may follow a word.
    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) => is_space(c) || matches!(c, '.' | ',' | '|' | ':' | ')' | '(' | '}'),
        }
    }

    fn quote(&mut self, start: usize) -> Result<(), LexError> {
        loop {
            match self.peek() {
                None | Some('\n') => {
                    return Err((start, "unterminated quoted string".into()));
                }
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        None | Some('\n') => {
                            return Err((start, "unterminated quoted string".into()))
                        }
                        Some(c) => self.pos += c.len_utf8(),
                    }
                }
                Some('"') => {
                    self.pos += 1;
                    break;
                }
                Some(c) => self.pos += c.len_utf8(),
            }
        }
        self.emit(Tok::Str(self.src[start..self.pos].to_owned()), start);
        Ok(())
    }

    fn char_constant(&mut self, start: usize) -> Result<(), LexError> {
        loop {
            match self.peek() {
                None | Some('\n') => {
                    return Err((start, "unterminated character constant".into()));
                }
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        None | Some('\n') => {
                            return Err((start, "unterminated character constant".into()))
                        }
                        Some(c) => self.pos += c.len_utf8(),
                    }
                }
                Some('\'') => {
                    self.pos += 1;
                    break;
                }
                Some(c) => self.pos += c.len_utf8(),
            }
        }
        self.emit(Tok::Number(self.src[start..self.pos].to_owned()), start);
        Ok(())
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek() {
            Some(c) if valid.contains(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    /// Go's `scanNumber`: a loose scan; the parser checks the syntax.
    fn number(&mut self, start: usize) -> Result<(), LexError> {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if let Some(c) = self.peek().filter(|&c| is_alnum(c)) {
            self.pos += c.len_utf8();
            return Err((
                start,
                format!("bad number syntax: {:?}", &self.src[start..self.pos]),
            ));
        }
        if matches!(self.peek(), Some('+' | '-')) {
            return Err((start, "complex numbers are not supported".into()));
        }
        self.emit(Tok::Number(self.src[start..self.pos].to_owned()), start);
        Ok(())
    }
}

/// Go's `%#U`: `U+0041 'A'`.
fn unicode_name(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{c}'", c as u32)
    }
}
