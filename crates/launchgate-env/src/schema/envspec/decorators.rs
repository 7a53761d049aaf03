//! The decorators of one `# @…` comment line of an @env-spec file.
//!
//! A decorator is `@name`, `@name=value` or `@name(args)`. A value is a quoted string
//! (`"…"`, `'…'`, `` `…` ``), a function call `fn(a, key=b)`, a list `[a, b]`, an object
//! `{k=v}`, or bare text. A `#` after the decorators starts a plain comment.

/// How deeply lists, objects and calls may nest in one decorator value.
pub const MAX_NESTING: usize = 16;

/// One decorator, with the byte offset of its `@` in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Decorator {
    pub name: String,
    pub form: Form,
    pub offset: usize,
    pub len: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Form {
    /// `@name`: the same as `@name=true`.
    Bare,
    /// `@name=value`.
    Value(Value),
    /// `@name(args)`: repeatable.
    Call(Vec<Arg>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text { text: String, quoted: bool },
    Call { name: String, args: Vec<Arg> },
    List(Vec<Value>),
    Object(Vec<(String, Value)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub key: Option<String>,
    pub value: Value,
}

impl Value {
    /// The text of a plain value; `None` for calls, lists and objects.
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// A syntax error at a byte offset of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

/// Parses `content` (a comment's text after `#`, starting with `@`) found at byte `base`
/// of the file.
pub fn parse_line(content: &str, base: usize) -> Result<Vec<Decorator>, SyntaxError> {
    let mut p = Parser {
        text: content,
        at: 0,
        base,
        depth: 0,
    };
    let mut out = Vec::new();
    loop {
        p.skip_spaces();
        match p.peek() {
            None | Some('#') => return Ok(out),
            Some('@') => out.push(p.decorator()?),
            Some(_) => {
                return Err(
                    p.error("unexpected text after the decorators; start a comment after them with `#`")
                );
            }
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
    base: usize,
    /// Lists, objects and calls open around the current position.
    depth: usize,
}

/// Where a bare value ends.
#[derive(Clone, Copy)]
enum Context {
    Decorator,
    Argument,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.at..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += c.len_utf8();
        Some(c)
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(|c| c == ' ' || c == '\t') {
            self.at += 1;
        }
    }

    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            offset: self.base + self.at,
            message: message.into(),
        }
    }

    fn identifier(&mut self) -> String {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            self.at += 1;
        }
        self.text[start..self.at].to_string()
    }

    fn decorator(&mut self) -> Result<Decorator, SyntaxError> {
        let start = self.at;
        self.bump();
        let name = self.identifier();
        if name.is_empty() {
            return Err(self.error("`@` must be followed by a decorator name"));
        }
        let form = match self.peek() {
            Some('=') => {
                self.bump();
                Form::Value(self.value(Context::Decorator)?)
            }
            Some('(') => {
                self.bump();
                Form::Call(self.arguments()?)
            }
            _ => Form::Bare,
        };
        if self.peek().is_some_and(|c| c != ' ' && c != '\t' && c != '#') {
            return Err(self.error(format!(
                "unexpected `{}` after @{name}; separate decorators with a space",
                self.peek().unwrap_or(' ')
            )));
        }
        Ok(Decorator {
            name,
            form,
            offset: self.base + start,
            len: self.at - start,
        })
    }

    fn value(&mut self, context: Context) -> Result<Value, SyntaxError> {
        match self.peek() {
            Some(q @ ('"' | '\'' | '`')) => self.quoted(q),
            Some('[') => {
                self.bump();
                let mut items = Vec::new();
                self.list(']', |p| {
                    items.push(p.value(Context::Argument)?);
                    Ok(())
                })?;
                Ok(Value::List(items))
            }
            Some('{') => {
                self.bump();
                let mut entries = Vec::new();
                self.list('}', |p| {
                    let key = p.identifier();
                    if key.is_empty() || p.bump() != Some('=') {
                        return Err(p.error("an object entry is written `key=value`"));
                    }
                    entries.push((key, p.value(Context::Argument)?));
                    Ok(())
                })?;
                Ok(Value::Object(entries))
            }
            _ => {
                let start = self.at;
                let name = self.identifier();
                if !name.is_empty()
                    && name.starts_with(|c: char| c.is_ascii_alphabetic())
                    && self.peek() == Some('(')
                {
                    self.bump();
                    return Ok(Value::Call {
                        name,
                        args: self.arguments()?,
                    });
                }
                self.at = start;
                let stop: &[char] = match context {
                    Context::Decorator => &[' ', '\t', '#'],
                    Context::Argument => &[',', ')', ']', '}'],
                };
                while self.peek().is_some_and(|c| !stop.contains(&c)) {
                    self.bump();
                }
                let text = self.text[start..self.at].trim().to_string();
                Ok(Value::Text { text, quoted: false })
            }
        }
    }

    fn quoted(&mut self, quote: char) -> Result<Value, SyntaxError> {
        let open = self.at;
        self.bump();
        let mut text = String::new();
        loop {
            match self.bump() {
                None => {
                    self.at = open;
                    return Err(self.error(format!("this {quote} is never closed on its line")));
                }
                Some('\\') if self.peek() == Some(quote) => {
                    self.bump();
                    text.push(quote);
                }
                Some('\\') if quote != '\'' && self.peek() == Some('n') => {
                    self.bump();
                    text.push('\n');
                }
                Some(c) if c == quote => return Ok(Value::Text { text, quoted: true }),
                Some(c) => text.push(c),
            }
        }
    }

    /// `key=value` or `value` arguments up to `)`.
    fn arguments(&mut self) -> Result<Vec<Arg>, SyntaxError> {
        let mut args = Vec::new();
        self.list(')', |p| {
            let start = p.at;
            let key = p.identifier();
            let key = if !key.is_empty() && p.peek() == Some('=') {
                p.bump();
                Some(key)
            } else {
                p.at = start;
                None
            };
            args.push(Arg {
                key,
                value: p.value(Context::Argument)?,
            });
            Ok(())
        })?;
        Ok(args)
    }

    fn unclosed(&self, close: char) -> SyntaxError {
        self.error(format!("missing `{close}`: a decorator is written on one line"))
    }

    /// Comma-separated items up to `close` (a trailing comma allowed), nested at most
    /// [`MAX_NESTING`] deep so a line of `[[[[…` cannot exhaust the stack.
    fn list(
        &mut self,
        close: char,
        item: impl FnMut(&mut Self) -> Result<(), SyntaxError>,
    ) -> Result<(), SyntaxError> {
        if self.depth >= MAX_NESTING {
            return Err(self.error(format!("values nest more than {MAX_NESTING} levels deep")));
        }
        self.depth += 1;
        let out = self.items(close, item);
        self.depth -= 1;
        out
    }

    fn items(
        &mut self,
        close: char,
        mut item: impl FnMut(&mut Self) -> Result<(), SyntaxError>,
    ) -> Result<(), SyntaxError> {
        loop {
            self.skip_spaces();
            match self.peek() {
                Some(c) if c == close => {
                    self.bump();
                    return Ok(());
                }
                None => return Err(self.unclosed(close)),
                _ => item(self)?,
            }
            self.skip_spaces();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some(c) if c == close => {}
                None => return Err(self.unclosed(close)),
                _ => return Err(self.error(format!("expected `,` or `{close}`"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Value {
        Value::Text {
            text: t.into(),
            quoted: false,
        }
    }

    #[test]
    fn forms_and_values() {
        let d = parse_line(
            "@required @type=enum(a, \"b c\") @docs(\"Guide\", https://x.io/a) @example='sk_x' # not @this",
            10,
        )
        .unwrap();
        assert_eq!(d.len(), 4);
        assert_eq!(
            (d[0].name.as_str(), &d[0].form, d[0].offset),
            ("required", &Form::Bare, 10)
        );
        assert_eq!(
            d[1].form,
            Form::Value(Value::Call {
                name: "enum".into(),
                args: vec![
                    Arg {
                        key: None,
                        value: text("a")
                    },
                    Arg {
                        key: None,
                        value: Value::Text {
                            text: "b c".into(),
                            quoted: true
                        }
                    }
                ]
            })
        );
        assert_eq!(d[1].offset, 20);
        let Form::Call(args) = &d[2].form else { panic!() };
        assert_eq!(args[1].value, text("https://x.io/a"));
        assert_eq!(
            d[3].form,
            Form::Value(Value::Text {
                text: "sk_x".into(),
                quoted: true
            })
        );
        let d = parse_line(
            "@type=url(allowedProtocols=[postgres, postgresql]) @sensitive={enabled=false}",
            0,
        )
        .unwrap();
        let Form::Value(Value::Call { args, .. }) = &d[0].form else {
            panic!()
        };
        assert_eq!(args[0].key.as_deref(), Some("allowedProtocols"));
        assert_eq!(
            args[0].value,
            Value::List(vec![text("postgres"), text("postgresql")])
        );
        assert_eq!(
            d[1].form,
            Form::Value(Value::Object(vec![("enabled".into(), text("false"))]))
        );
    }

    #[test]
    fn errors_have_offsets() {
        let e = parse_line("@type=enum(a, b", 100).unwrap_err();
        assert_eq!(e.offset, 115);
        assert!(e.message.contains("missing `)`"));
        let e = parse_line("@required because", 0).unwrap_err();
        assert_eq!(e.offset, 10);
        let e = parse_line("@example=\"open", 0).unwrap_err();
        assert_eq!(e.offset, 9);
        let e = parse_line("@ required", 0).unwrap_err();
        assert!(e.message.contains("decorator name"));
        let deep = format!("@type={}", "f(".repeat(100_000));
        let e = parse_line(&deep, 0).unwrap_err();
        assert_eq!(e.offset, 6 + 2 * (MAX_NESTING + 1));
        assert!(e.message.contains("nest more than 16 levels"), "{}", e.message);
    }
}
