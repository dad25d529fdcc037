//! Reading user input: TOML documents with positions, and the error every bad input becomes.
//!
//! Scenario files, `--set` flags and (later) sweep files all report problems the same way:
//! where (file and line, or the flag), which key, what value, and what is allowed. The
//! binary maps [`InputError`] to exit code 2 and writes nothing.

use std::fmt;
use std::ops::Range as Span;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::model::params::{ParamSpec, suggest};

/// A problem with user input, found before any work starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// Where: `path:line`, `built-in scenario 'x':line`, `--set`, ...
    pub location: String,
    pub message: String,
}

impl InputError {
    pub fn new(location: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            location: location.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for InputError {}

/// A TOML document being read, for error locations.
pub struct Document<'a> {
    /// How the document is named in messages: a path, or `built-in scenario 'name'`.
    pub origin: String,
    pub text: &'a str,
}

/// A TOML table with the positions of its keys and values.
pub type Table<'a> = DeTable<'a>;
/// A TOML value with its position.
pub type Value<'a> = Spanned<DeValue<'a>>;

impl<'a> Document<'a> {
    /// Parses the document, or says where its TOML syntax is wrong.
    pub fn parse(&self) -> Result<Table<'a>, InputError> {
        DeTable::parse(self.text)
            .map(Spanned::into_inner)
            .map_err(|e| {
                let at = e
                    .span()
                    .map(|s| self.at(&s))
                    .unwrap_or_else(|| self.origin.clone());
                InputError::new(at, format!("invalid TOML: {}", e.message().trim()))
            })
    }

    /// `origin:line` for a byte span.
    pub fn at(&self, span: &Span<usize>) -> String {
        let line = self.text[..span.start.min(self.text.len())]
            .bytes()
            .filter(|&b| b == b'\n')
            .count()
            + 1;
        format!("{}:{line}", self.origin)
    }

    /// An error at `span`.
    pub fn error(&self, span: &Span<usize>, message: impl Into<String>) -> InputError {
        InputError::new(self.at(span), message)
    }

    /// Rejects a key not in `allowed`, with a "did you mean" hint.
    pub fn check_known(
        &self,
        key: &Spanned<std::borrow::Cow<'a, str>>,
        context: &str,
        allowed: &[&str],
    ) -> Result<(), InputError> {
        let name: &str = key.get_ref();
        if allowed.contains(&name) {
            return Ok(());
        }
        let hint = match suggest(name, allowed.iter().copied()) {
            Some(s) => format!(" (did you mean `{s}`?)"),
            None => format!("; allowed: {}", allowed.join(", ")),
        };
        Err(self.error(
            &key.span(),
            format!("unknown key `{name}` in {context}{hint}"),
        ))
    }

    /// A string value.
    pub fn string(&self, key: &str, value: &Value<'a>) -> Result<String, InputError> {
        match value.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            other => Err(self.error(
                &value.span(),
                format!("`{key}` must be a string, found {}", type_name(other)),
            )),
        }
    }

    /// A table value.
    pub fn table<'v>(&self, key: &str, value: &'v Value<'a>) -> Result<&'v Table<'a>, InputError> {
        match value.get_ref() {
            DeValue::Table(t) => Ok(t),
            other => Err(self.error(
                &value.span(),
                format!("`{key}` must be a table, found {}", type_name(other)),
            )),
        }
    }

    /// A number, read as f64 (integers included).
    pub fn number(&self, key: &str, value: &Value<'a>) -> Result<f64, InputError> {
        number_of(value.get_ref()).ok_or_else(|| {
            self.error(
                &value.span(),
                format!(
                    "`{key}` must be a number, found {}",
                    type_name(value.get_ref())
                ),
            )
        })
    }

    /// A parameter's value, checked against its spec's type and range.
    pub fn param(&self, spec: &ParamSpec, value: &Value<'a>) -> Result<f64, InputError> {
        let key = spec.key();
        let v = self.number(&key, value)?;
        check_param(spec, v).map_err(|m| self.error(&value.span(), m))
    }
}

/// Checks `value` against `spec`; the message names the key, the value and the range.
pub fn check_param(spec: &ParamSpec, value: f64) -> Result<f64, String> {
    if spec.range.contains(value) {
        Ok(value)
    } else {
        Err(format!(
            "`{}` = {value} is out of range: it must be {}",
            spec.key(),
            spec.range
        ))
    }
}

fn number_of(value: &DeValue<'_>) -> Option<f64> {
    match value {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|v| v as f64),
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
        _ => None,
    }
}

/// The TOML type of a value, for messages.
pub fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_the_line() {
        let doc = Document {
            origin: "x.toml".into(),
            text: "a = 1\nb = = 2\n",
        };
        let err = doc.parse().unwrap_err();
        assert_eq!(err.location, "x.toml:2");
    }

    #[test]
    fn numbers_accept_integers_and_floats() {
        let doc = Document {
            origin: "x.toml".into(),
            text: "a = 3\nb = 0.25\nc = 1_000\nd = \"no\"\n",
        };
        let t = doc.parse().unwrap();
        let get = |k: &str| t.iter().find(|(key, _)| key.get_ref() == k).unwrap().1;
        assert_eq!(doc.number("a", get("a")).unwrap(), 3.0);
        assert_eq!(doc.number("b", get("b")).unwrap(), 0.25);
        assert_eq!(doc.number("c", get("c")).unwrap(), 1000.0);
        let err = doc.number("d", get("d")).unwrap_err();
        assert_eq!(err.location, "x.toml:4");
        assert!(err.message.contains("must be a number, found a string"));
    }
}
