//! The parser: tokens to a tree, with Go's rules (variables must be
//! declared before use, `break`/`continue` only inside `range`, a
//! non-executable value cannot follow `|`).

use super::lex::{lex, Tok, Token};
use super::literal::{parse_number, unquote, Num};

/// Where an action sits in the template, for errors while executing it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Src {
    /// The action as written, `{{...}}`.
    pub text: String,
    /// Byte offset of its `{{`.
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Text(String),
    Action { pipe: Pipe, src: Src },
    If(Control),
    With(Control),
    Range(Control),
    Break,
    Continue,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Control {
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
    pub src: Src,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Pipe {
    /// Declared (`:=`) or assigned (`=`) variables.
    pub decl: Vec<String>,
    pub assign: bool,
    pub cmds: Vec<Cmd>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Cmd {
    pub args: Vec<Arg>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Arg {
    /// `.A.B`
    Field(Vec<String>),
    /// `$x.A.B` (`$` is the root).
    Var(String, Vec<String>),
    /// `(pipeline).A.B`
    Chain(Box<Arg>, Vec<String>),
    Dot,
    Nil,
    Bool(bool),
    Number(Num),
    Str(String),
    /// A function name.
    Ident(String),
    /// `(pipeline)`
    Pipe(Box<Pipe>),
}

fn dotted(path: &[String]) -> String {
    path.iter().flat_map(|f| [".", f.as_str()]).collect()
}

impl Arg {
    /// How Go prints a node in errors.
    pub fn describe(&self) -> String {
        match self {
            Arg::Field(p) => dotted(p),
            Arg::Var(v, p) => format!("{v}{}", dotted(p)),
            Arg::Chain(a, p) => format!("{}{}", a.describe(), dotted(p)),
            Arg::Dot => ".".into(),
            Arg::Nil => "nil".into(),
            Arg::Bool(b) => b.to_string(),
            Arg::Number(n) => n.text.clone(),
            Arg::Str(s) => format!("{s:?}"),
            Arg::Ident(i) => i.clone(),
            Arg::Pipe(_) => "(...)".into(),
        }
    }
}

/// The functions a template may call.
pub(super) const FUNCTIONS: &[&str] = &[
    "and", "call", "html", "index", "js", "len", "not", "or", "print", "printf", "println",
    "slice", "urlquery", "eq", "ge", "gt", "le", "lt", "ne", "json", "lower", "pad", "split",
    "title", "join", "truncate", "upper",
];

/// How deep controls and parentheses may nest; deeper templates are
/// refused so that neither parsing nor execution can exhaust the stack.
pub(super) const MAX_DEPTH: usize = 100;

/// A parse error: offset and reason.
pub(super) type ParseError = (usize, String);

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    i: usize,
    vars: Vec<String>,
    range_depth: usize,
    depth: usize,
    /// Offset of the current action's `{{`.
    action_start: usize,
}

enum Item {
    Node(Node),
    End,
    /// `{{else}}`; `Some(keyword)` for `{{else if ...}}`/`{{else with ...}}`.
    Else(Option<&'static str>),
}

/// Parses a whole template.
pub(super) fn parse(src: &str) -> Result<Vec<Node>, ParseError> {
    let toks = lex(src)?;
    let mut p = Parser {
        src,
        toks,
        i: 0,
        vars: vec!["$".into()],
        range_depth: 0,
        depth: 0,
        action_start: 0,
    };
    let mut nodes = Vec::new();
    while p.peek().kind != Tok::Eof {
        let pos = p.peek().pos;
        match p.text_or_action()? {
            Item::Node(n) => nodes.push(n),
            Item::End => return Err((pos, "unexpected {{end}}".into())),
            Item::Else(_) => return Err((pos, "unexpected {{else}}".into())),
        }
    }
    Ok(nodes)
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.toks[self.i]
    }

    fn next(&mut self) -> Token {
        let t = self.toks[self.i].clone();
        if t.kind != Tok::Eof {
            self.i += 1;
        }
        t
    }

    fn peek_non_space(&mut self) -> &Token {
        while self.toks[self.i].kind == Tok::Space {
            self.i += 1;
        }
        &self.toks[self.i]
    }

    fn next_non_space(&mut self) -> Token {
        self.peek_non_space();
        self.next()
    }

    fn unexpected(tok: &Token, context: &str) -> ParseError {
        (
            tok.pos,
            format!("unexpected {} in {context}", tok.kind.describe()),
        )
    }

    fn expect_right_delim(&mut self, context: &str) -> Result<usize, ParseError> {
        let t = self.next_non_space();
        match t.kind {
            Tok::RightDelim { end } => Ok(end),
            _ => Err(Self::unexpected(&t, context)),
        }
    }

    fn src_of(&self, end: usize) -> Src {
        Src {
            text: self.src[self.action_start..end].to_owned(),
            offset: self.action_start,
        }
    }

    fn text_or_action(&mut self) -> Result<Item, ParseError> {
        let t = self.next_non_space();
        match t.kind {
            Tok::Text(s) => Ok(Item::Node(Node::Text(s))),
            Tok::LeftDelim => {
                self.action_start = t.pos;
                self.action()
            }
            _ => Err(Self::unexpected(&t, "input")),
        }
    }

    fn deeper(&mut self, pos: usize) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err((
                pos,
                format!("nesting deeper than {MAX_DEPTH} levels is not supported"),
            ));
        }
        Ok(())
    }

    fn action(&mut self) -> Result<Item, ParseError> {
        let t = self.peek_non_space().clone();
        if let Tok::Keyword(k) = t.kind {
            self.next();
            return match k {
                "if" | "with" | "range" => {
                    self.deeper(t.pos)?;
                    let c = self.control(k)?;
                    self.depth -= 1;
                    Ok(Item::Node(match k {
                        "if" => Node::If(c),
                        "with" => Node::With(c),
                        _ => Node::Range(c),
                    }))
                }
                "end" => {
                    self.expect_right_delim("end")?;
                    Ok(Item::End)
                }
                "else" => {
                    let next = self.peek_non_space().kind.clone();
                    if let Tok::Keyword(kw @ ("if" | "with")) = next {
                        return Ok(Item::Else(Some(kw)));
                    }
                    self.expect_right_delim("else")?;
                    Ok(Item::Else(None))
                }
                "break" | "continue" => {
                    self.expect_right_delim(&format!("{{{{{k}}}}}"))?;
                    if self.range_depth == 0 {
                        return Err((t.pos, format!("{{{{{k}}}}} outside {{{{range}}}}")));
                    }
                    Ok(Item::Node(if k == "break" {
                        Node::Break
                    } else {
                        Node::Continue
                    }))
                }
                other => Err((
                    t.pos,
                    format!("{{{{{other}}}}} is not supported in berth's --format"),
                )),
            };
        }
        let (pipe, end) = self.pipeline("command", true)?;
        Ok(Item::Node(Node::Action {
            pipe,
            src: self.src_of(end),
        }))
    }

    /// `if`, `with` or `range` after its keyword, through its `{{end}}`.
    fn control(&mut self, context: &'static str) -> Result<Control, ParseError> {
        let vars = self.vars.len();
        let (pipe, end) = self.pipeline(context, true)?;
        let src = self.src_of(end);
        if context == "range" {
            self.range_depth += 1;
        }
        let (list, next) = self.item_list()?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let else_list = match next {
            Item::End => None,
            Item::Else(Some(kw)) if kw == context && context != "range" => {
                // `{{else if x}}` is `{{else}}{{if x}}...{{end}}{{end}}` with one `{{end}}`.
                self.next_non_space();
                self.deeper(end)?;
                let inner = self.control(context)?;
                self.depth -= 1;
                Some(vec![if context == "if" {
                    Node::If(inner)
                } else {
                    Node::With(inner)
                }])
            }
            Item::Else(Some(kw)) => {
                let t = self.peek_non_space().clone();
                return Err((t.pos, format!("unexpected <{kw}> in input")));
            }
            Item::Else(None) => {
                let (list, next) = self.item_list()?;
                if !matches!(next, Item::End) {
                    return Err((self.peek().pos, "expected end; found {{else}}".into()));
                }
                Some(list)
            }
            Item::Node(_) => unreachable!("item_list stops only at end or else"),
        };
        self.vars.truncate(vars);
        Ok(Control {
            pipe,
            list,
            else_list,
            src,
        })
    }

    fn item_list(&mut self) -> Result<(Vec<Node>, Item), ParseError> {
        let mut list = Vec::new();
        loop {
            if self.peek_non_space().kind == Tok::Eof {
                return Err((self.peek().pos, "unexpected EOF".into()));
            }
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                other => return Ok((list, other)),
            }
        }
    }

    /// A pipeline up to `}}` (`top`) or `)`; returns it and the offset
    /// past its end.
    fn pipeline(&mut self, context: &str, top: bool) -> Result<(Pipe, usize), ParseError> {
        let mut pipe = Pipe {
            decl: Vec::new(),
            assign: false,
            cmds: Vec::new(),
        };
        // Declarations: `$x :=`, `$x =`, `$i, $v :=` (range only).
        let save = self.i;
        if let Tok::Variable(v) = self.peek_non_space().kind.clone() {
            self.next();
            match self.peek_non_space().kind.clone() {
                Tok::Declare | Tok::Assign => {
                    pipe.assign = self.next().kind == Tok::Assign;
                    pipe.decl.push(v.clone());
                    self.vars.push(v);
                }
                Tok::Char(',') => {
                    self.next();
                    pipe.decl.push(v.clone());
                    self.vars.push(v);
                    if context != "range" {
                        return Err((
                            self.peek().pos,
                            format!("too many declarations in {context}"),
                        ));
                    }
                    let t = self.peek_non_space().clone();
                    let Tok::Variable(v2) = t.kind else {
                        return Err((t.pos, "range can only initialize variables".into()));
                    };
                    self.next();
                    let t = self.next_non_space();
                    match t.kind {
                        Tok::Declare | Tok::Assign => {
                            pipe.assign = t.kind == Tok::Assign;
                            pipe.decl.push(v2.clone());
                            self.vars.push(v2);
                        }
                        Tok::Char(',') => {
                            return Err((t.pos, format!("too many declarations in {context}")))
                        }
                        _ => return Err(Self::unexpected(&t, context)),
                    }
                }
                _ => self.i = save,
            }
        }
        loop {
            let t = self.peek_non_space().clone();
            match t.kind {
                Tok::RightDelim { end } if top => {
                    self.next();
                    Self::check_pipeline(&pipe, context, t.pos)?;
                    return Ok((pipe, end));
                }
                Tok::RightParen if !top => {
                    self.next();
                    Self::check_pipeline(&pipe, context, t.pos)?;
                    return Ok((pipe, t.pos + 1));
                }
                Tok::Bool(_)
                | Tok::Dot
                | Tok::Field(_)
                | Tok::Identifier(_)
                | Tok::Number(_)
                | Tok::Nil
                | Tok::Str(_)
                | Tok::Variable(_)
                | Tok::LeftParen => {
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return Err(Self::unexpected(&t, context)),
            }
        }
    }

    fn check_pipeline(pipe: &Pipe, context: &str, pos: usize) -> Result<(), ParseError> {
        if pipe.cmds.is_empty() {
            return Err((pos, format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args[0],
                Arg::Bool(_) | Arg::Dot | Arg::Nil | Arg::Number(_) | Arg::Str(_)
            ) {
                return Err((
                    pos,
                    format!("non executable command in pipeline stage {}", i + 1),
                ));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> Result<Cmd, ParseError> {
        let mut args = Vec::new();
        loop {
            self.peek_non_space();
            if let Some(a) = self.operand()? {
                args.push(a);
            }
            let t = self.peek().clone();
            match t.kind {
                Tok::Space => {
                    self.next();
                    continue;
                }
                Tok::RightDelim { .. } | Tok::RightParen => {}
                Tok::Pipe => {
                    self.next();
                }
                _ => return Err(Self::unexpected(&t, "operand")),
            }
            break;
        }
        if args.is_empty() {
            return Err((self.peek().pos, "missing command before or after |".into()));
        }
        Ok(Cmd { args })
    }

    fn operand(&mut self) -> Result<Option<Arg>, ParseError> {
        let Some(term) = self.term()? else {
            return Ok(None);
        };
        let mut fields = Vec::new();
        while let Tok::Field(f) = &self.peek().kind {
            fields.push(f.clone());
            self.next();
        }
        if fields.is_empty() {
            return Ok(Some(term));
        }
        Ok(Some(match term {
            Arg::Field(mut p) => {
                p.extend(fields);
                Arg::Field(p)
            }
            Arg::Var(v, mut p) => {
                p.extend(fields);
                Arg::Var(v, p)
            }
            Arg::Bool(_) | Arg::Str(_) | Arg::Number(_) | Arg::Nil | Arg::Dot => {
                return Err((
                    self.peek().pos,
                    format!("unexpected . after term {:?}", term.describe()),
                ))
            }
            other => Arg::Chain(Box::new(other), fields),
        }))
    }

    fn term(&mut self) -> Result<Option<Arg>, ParseError> {
        let t = self.peek_non_space().clone();
        let arg = match t.kind {
            Tok::Identifier(name) => {
                if !FUNCTIONS.contains(&name.as_str()) {
                    return Err((t.pos, format!("function {name:?} not defined")));
                }
                Arg::Ident(name)
            }
            Tok::Dot => Arg::Dot,
            Tok::Nil => Arg::Nil,
            Tok::Variable(v) => {
                if !self.vars.contains(&v) {
                    return Err((t.pos, format!("undefined variable {v:?}")));
                }
                Arg::Var(v, Vec::new())
            }
            Tok::Field(f) => Arg::Field(vec![f]),
            Tok::Bool(b) => Arg::Bool(b),
            Tok::Number(text) => Arg::Number(parse_number(&text).map_err(|e| (t.pos, e))?),
            Tok::Str(s) => Arg::Str(unquote(&s).map_err(|e| (t.pos, e))?),
            Tok::LeftParen => {
                self.next();
                self.deeper(t.pos)?;
                let (pipe, _) = self.pipeline("parenthesized pipeline", false)?;
                self.depth -= 1;
                return Ok(Some(Arg::Pipe(Box::new(pipe))));
            }
            _ => return Ok(None),
        };
        self.next();
        Ok(Some(arg))
    }
}
