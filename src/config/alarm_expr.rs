//! Alarm expressions, as the articles write them: `ALARM("X") OR ALARM("Y")`, with `AND`,
//! `NOT` and parentheses. `NOT` binds tightest, then `AND`, then `OR`; keywords are
//! case-insensitive.
//!
//! This module parses and evaluates; it does not know how an alarm's state is observed
//! (the engine passes a lookup) nor which alarms exist (validation checks the names).

use std::fmt;

/// Nesting deeper than this is refused, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

/// A parsed alarm expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlarmExpr {
    Alarm(String),
    Not(Box<AlarmExpr>),
    And(Box<AlarmExpr>, Box<AlarmExpr>),
    Or(Box<AlarmExpr>, Box<AlarmExpr>),
}

/// A syntax error: where in the expression text (byte offset) and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl AlarmExpr {
    pub fn parse(text: &str) -> Result<AlarmExpr, ExprError> {
        let tokens = tokenize(text)?;
        let mut parser = Parser {
            tokens,
            pos: 0,
            end: text.len(),
        };
        let expr = parser.or(0)?;
        match parser.peek() {
            None => Ok(expr),
            Some((offset, token)) => Err(ExprError {
                offset,
                message: format!(
                    "unexpected {} in alarm expression; join alarms with OR or AND",
                    token.describe()
                ),
            }),
        }
    }

    /// True if the expression is in ALARM state, given each named alarm's state.
    pub fn eval(&self, lookup: impl Fn(&str) -> bool) -> bool {
        self.eval_dyn(&lookup)
    }

    fn eval_dyn(&self, lookup: &dyn Fn(&str) -> bool) -> bool {
        match self {
            AlarmExpr::Alarm(name) => lookup(name),
            AlarmExpr::Not(inner) => !inner.eval_dyn(lookup),
            AlarmExpr::And(a, b) => a.eval_dyn(lookup) && b.eval_dyn(lookup),
            AlarmExpr::Or(a, b) => a.eval_dyn(lookup) || b.eval_dyn(lookup),
        }
    }

    /// Every alarm named, in order of first appearance, without repeats.
    pub fn names(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            AlarmExpr::Alarm(name) => {
                if !out.contains(&name.as_str()) {
                    out.push(name);
                }
            }
            AlarmExpr::Not(inner) => inner.collect(out),
            AlarmExpr::And(a, b) | AlarmExpr::Or(a, b) => {
                a.collect(out);
                b.collect(out);
            }
        }
    }

    fn precedence(&self) -> u8 {
        match self {
            AlarmExpr::Or(..) => 1,
            AlarmExpr::And(..) => 2,
            AlarmExpr::Not(..) | AlarmExpr::Alarm(..) => 3,
        }
    }

    fn fmt_child(&self, child: &AlarmExpr, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if child.precedence() < self.precedence() {
            write!(f, "({child})")
        } else {
            write!(f, "{child}")
        }
    }
}

/// Canonical text, parenthesised only where precedence needs it; it parses back equal.
impl fmt::Display for AlarmExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AlarmExpr::Alarm(name) => write!(f, "ALARM(\"{name}\")"),
            AlarmExpr::Not(inner) => {
                f.write_str("NOT ")?;
                self.fmt_child(inner, f)
            }
            AlarmExpr::And(a, b) | AlarmExpr::Or(a, b) => {
                self.fmt_child(a, f)?;
                f.write_str(if matches!(self, AlarmExpr::And(..)) {
                    " AND "
                } else {
                    " OR "
                })?;
                // Right operands of the same operator are parenthesised to keep the tree shape.
                if b.precedence() <= self.precedence() {
                    write!(f, "({b})")
                } else {
                    write!(f, "{b}")
                }
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Alarm,
    And,
    Or,
    Not,
    Open,
    Close,
    Str(String),
    Word(String),
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Alarm => "`ALARM`".into(),
            Token::And => "`AND`".into(),
            Token::Or => "`OR`".into(),
            Token::Not => "`NOT`".into(),
            Token::Open => "`(`".into(),
            Token::Close => "`)`".into(),
            Token::Str(s) => format!("string \"{s}\""),
            Token::Word(w) => format!("`{w}`"),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, ExprError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(offset, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '(' || c == ')' {
            chars.next();
            tokens.push((offset, if c == '(' { Token::Open } else { Token::Close }));
        } else if c == '"' {
            chars.next();
            let mut value = String::new();
            let mut closed = false;
            for (_, c) in chars.by_ref() {
                if c == '"' {
                    closed = true;
                    break;
                }
                value.push(c);
            }
            if !closed {
                return Err(ExprError {
                    offset,
                    message: "unterminated string in alarm expression".into(),
                });
            }
            tokens.push((offset, Token::Str(value)));
        } else if c.is_alphanumeric() || c == '_' {
            let mut word = String::new();
            while let Some(&(_, c)) = chars.peek() {
                if !(c.is_alphanumeric() || c == '_') {
                    break;
                }
                word.push(c);
                chars.next();
            }
            let token = match word.to_ascii_uppercase().as_str() {
                "ALARM" => Token::Alarm,
                "AND" => Token::And,
                "OR" => Token::Or,
                "NOT" => Token::Not,
                _ => Token::Word(word),
            };
            tokens.push((offset, token));
        } else {
            let hint = match c {
                '|' => "; write OR",
                '&' => "; write AND",
                '!' => "; write NOT",
                '\'' => "; quote alarm names with double quotes",
                _ => "",
            };
            return Err(ExprError {
                offset,
                message: format!("unexpected `{c}` in alarm expression{hint}"),
            });
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<(usize, &Token)> {
        self.tokens.get(self.pos).map(|(o, t)| (*o, t))
    }

    fn next(&mut self) -> Option<(usize, Token)> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        token
    }

    fn expected(&self, what: &str) -> ExprError {
        match self.peek() {
            Some((offset, token)) => ExprError {
                offset,
                message: format!(
                    "expected {what} in alarm expression, found {}",
                    token.describe()
                ),
            },
            None => ExprError {
                offset: self.end,
                message: format!("expected {what} at the end of the alarm expression"),
            },
        }
    }

    fn or(&mut self, depth: usize) -> Result<AlarmExpr, ExprError> {
        let mut left = self.and(depth)?;
        while matches!(self.peek(), Some((_, Token::Or))) {
            self.next();
            let right = self.and(depth)?;
            left = AlarmExpr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self, depth: usize) -> Result<AlarmExpr, ExprError> {
        let mut left = self.unary(depth)?;
        while matches!(self.peek(), Some((_, Token::And))) {
            self.next();
            let right = self.unary(depth)?;
            left = AlarmExpr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self, depth: usize) -> Result<AlarmExpr, ExprError> {
        if depth > MAX_DEPTH {
            let offset = self.peek().map_or(self.end, |(o, _)| o);
            return Err(ExprError {
                offset,
                message: format!("alarm expression nested deeper than {MAX_DEPTH}"),
            });
        }
        match self.peek() {
            Some((_, Token::Not)) => {
                self.next();
                Ok(AlarmExpr::Not(Box::new(self.unary(depth + 1)?)))
            }
            Some((open, Token::Open)) => {
                self.next();
                let inner = self.or(depth + 1)?;
                match self.next() {
                    Some((_, Token::Close)) => Ok(inner),
                    _ => Err(ExprError {
                        offset: open,
                        message: "unclosed `(` in alarm expression".into(),
                    }),
                }
            }
            Some((_, Token::Alarm)) => {
                self.next();
                if !matches!(self.peek(), Some((_, Token::Open))) {
                    return Err(self.expected("`(` after ALARM"));
                }
                self.next();
                let name = match self.peek() {
                    Some((offset, Token::Str(name))) => {
                        if name.trim().is_empty() {
                            return Err(ExprError {
                                offset,
                                message: "empty alarm name in ALARM(\"\")".into(),
                            });
                        }
                        name.clone()
                    }
                    _ => {
                        return Err(
                            self.expected("a quoted alarm name, like ALARM(\"HighSeverity\"),")
                        );
                    }
                };
                self.next();
                if !matches!(self.peek(), Some((_, Token::Close))) {
                    return Err(self.expected("`)` after the alarm name"));
                }
                self.next();
                Ok(AlarmExpr::Alarm(name))
            }
            Some((offset, Token::Word(word))) => Err(ExprError {
                offset,
                message: format!(
                    "unexpected `{word}` in alarm expression; name alarms as ALARM(\"{word}\")"
                ),
            }),
            _ => Err(self.expected("ALARM(\"…\"), NOT or `(`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> AlarmExpr {
        AlarmExpr::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn a(name: &str) -> Box<AlarmExpr> {
        Box::new(AlarmExpr::Alarm(name.into()))
    }

    #[test]
    fn parses_the_articles_expression() {
        let e = parse(
            "ALARM(\"FrontEnd_High_Severity\") OR\n ALARM(\"Backend_High_Severity\") OR ALARM(\"Canaries\")",
        );
        assert_eq!(
            e.names(),
            vec![
                "FrontEnd_High_Severity",
                "Backend_High_Severity",
                "Canaries"
            ]
        );
        assert!(e.eval(|n| n == "Canaries"));
        assert!(!e.eval(|_| false));
    }

    #[test]
    fn and_binds_tighter_than_or_and_not_tighter_than_and() {
        let e = parse(r#"ALARM("A") OR ALARM("B") AND ALARM("C")"#);
        assert_eq!(
            e,
            AlarmExpr::Or(a("A"), Box::new(AlarmExpr::And(a("B"), a("C"))))
        );
        assert!(e.eval(|n| n == "A"));
        assert!(!e.eval(|n| n == "B"));
        let e = parse(r#"(ALARM("A") OR ALARM("B")) AND ALARM("C")"#);
        assert!(!e.eval(|n| n == "A"));
        assert!(e.eval(|n| n == "A" || n == "C"));
        let e = parse(r#"not ALARM("A") and ALARM("B")"#);
        assert_eq!(e, AlarmExpr::And(Box::new(AlarmExpr::Not(a("A"))), a("B")));
        assert!(e.eval(|n| n == "B"));
    }

    #[test]
    fn display_round_trips() {
        for text in [
            r#"ALARM("A") OR ALARM("B") AND ALARM("C")"#,
            r#"(ALARM("A") OR ALARM("B")) AND NOT (ALARM("C") OR ALARM("D"))"#,
            r#"ALARM("A") AND (ALARM("B") AND ALARM("C"))"#,
        ] {
            let e = parse(text);
            assert_eq!(parse(&e.to_string()), e, "{text} → {e}");
        }
        assert_eq!(
            parse(r#"alarm("A") or (alarm("B"))"#).to_string(),
            r#"ALARM("A") OR ALARM("B")"#
        );
    }

    #[test]
    fn errors_say_where_and_what() {
        let err = |text: &str| {
            AlarmExpr::parse(text)
                .err()
                .unwrap_or_else(|| panic!("{text} parsed"))
        };
        let e = err(r#"ALARM("A") OR"#);
        assert_eq!(e.offset, 13);
        assert!(
            e.message.contains("end of the alarm expression"),
            "{}",
            e.message
        );
        let e = err(r#"ALARM("A") ALARM("B")"#);
        assert_eq!(e.offset, 11);
        assert!(e.message.contains("join alarms with OR or AND"));
        assert_eq!(
            err(r#"ALARM("A") || ALARM("B")"#).message,
            "unexpected `|` in alarm expression; write OR"
        );
        assert_eq!(err(r#"(ALARM("A")"#).offset, 0);
        assert_eq!(err(r#"ALARM("A"#).offset, 6);
        assert!(
            err("HighSeverity")
                .message
                .contains("ALARM(\"HighSeverity\")")
        );
        assert!(err("").message.contains("expected"));
        assert!(err(r#"ALARM("")"#).message.contains("empty alarm name"));
        assert!(err(&"(".repeat(500)).message.contains("nested deeper"));
    }
}
