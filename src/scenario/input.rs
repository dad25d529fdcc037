//! Reading user input: TOML documents with positions, and the error every bad input becomes.
//!
//! Scenario files, `--set` flags and (later) sweep files all report problems the same way:
//! where (file and line, or the flag), which key, what value, and what is allowed. The
//! binary maps [`InputError`] to exit code 2 and writes nothing.

use std::ops::Range as Span;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::model::params::{ParamSpec, integer_in, suggest};

pub use crate::error::{InputError, MAX_PROBLEMS};

/// The problems found so far in one input: reading goes on past a mistake, so that all of
/// them are reported at once, and fails at the end if there was any.
#[derive(Debug, Default)]
pub struct Problems {
    found: Vec<InputError>,
}

impl Problems {
    pub fn add(&mut self, error: InputError) {
        self.found.push(error);
    }

    /// The value of `result`, or None after recording its error.
    pub fn check<T>(&mut self, result: Result<T, InputError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(e);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// Ok when nothing was found; otherwise every problem as one error.
    pub fn finish(self) -> Result<(), InputError> {
        match InputError::combine(self.found) {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }
}

/// The kinds of TOML file the commands read, each by its own command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Scenario,
    Sweep,
    Sensitivity,
}

impl FileKind {
    const ALL: [FileKind; 3] = [FileKind::Scenario, FileKind::Sweep, FileKind::Sensitivity];

    /// "a scenario file", for messages.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Scenario => "a scenario file",
            FileKind::Sweep => "a sweep file",
            FileKind::Sensitivity => "a sensitivity file",
        }
    }

    /// The command that reads this kind of file.
    pub fn command(self) -> &'static str {
        match self {
            FileKind::Scenario => "run",
            FileKind::Sweep => "sweep",
            FileKind::Sensitivity => "sensitivity",
        }
    }

    /// Top-level keys that only this kind of file has. (`steps`, `replicates`, `seed` and
    /// `window` are shared by sweep and sensitivity files, and tell them apart from nothing.)
    fn own_keys(self) -> &'static [&'static str] {
        match self {
            FileKind::Scenario => &["run", "population", "regime", "events"],
            FileKind::Sweep => &["axis", "sample", "mode"],
            FileKind::Sensitivity => &[
                "method",
                "metrics",
                "samples",
                "levels",
                "bootstrap",
                "parameter",
            ],
        }
    }
}

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

    /// Refuses a file of another kind than `expected` (a sweep file given to `run`, say),
    /// naming the kind and the command that reads it. The kind is judged by the top-level
    /// keys only one kind has; a file with as many keys of the expected kind passes, and
    /// its stray keys are reported one by one as unknown.
    pub fn check_kind(&self, table: &Table<'a>, expected: FileKind) -> Result<(), InputError> {
        let own = |kind: FileKind| {
            table
                .iter()
                .filter(|(k, _)| kind.own_keys().contains(&k.get_ref().as_ref()))
                .collect::<Vec<_>>()
        };
        let expected_count = own(expected).len();
        let Some((kind, keys)) = FileKind::ALL
            .into_iter()
            .filter(|&k| k != expected)
            .map(|k| (k, own(k)))
            .filter(|(_, keys)| keys.len() > expected_count)
            .max_by_key(|(_, keys)| keys.len())
        else {
            return Ok(());
        };
        let (key, value) = keys[0];
        let shown = match value.get_ref() {
            DeValue::Table(_) => format!("[{}]", key.get_ref()),
            DeValue::Array(a) if a.iter().all(|v| matches!(v.get_ref(), DeValue::Table(_))) => {
                format!("[[{}]]", key.get_ref())
            }
            _ => format!("`{}`", key.get_ref()),
        };
        let mut message = format!(
            "this is {} (it has {shown}), not {}: run it with `cadre-sim {} {}`",
            kind.name(),
            expected.name(),
            kind.command(),
            self.origin
        );
        if kind == FileKind::Scenario {
            let doc = match expected {
                FileKind::Sensitivity => "docs/sensitivity.md",
                _ => "docs/sweep.md",
            };
            message.push_str(&format!(
                ", or name it as `base` in {} ({doc})",
                expected.name()
            ));
        }
        Err(self.error(&key.span(), message))
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

    /// Checks every key of `table` against `allowed`, recording each unknown one in
    /// `problems`; true when all are known.
    pub fn check_keys(
        &self,
        table: &Table<'a>,
        context: &str,
        allowed: &[&str],
        problems: &mut Problems,
    ) -> bool {
        let mut ok = true;
        for (key, _) in table.iter() {
            ok &= problems
                .check(self.check_known(key, context, allowed))
                .is_some();
        }
        ok
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

    /// A whole number in [min, max]; the message names the key, the value and the range.
    pub fn integer(
        &self,
        key: &str,
        value: &Value<'a>,
        min: f64,
        max: f64,
    ) -> Result<f64, InputError> {
        let v = self.number(key, value)?;
        if integer_in(v, min, max) {
            Ok(v)
        } else {
            Err(self.error(
                &value.span(),
                format!("`{key}` = {v} must be an integer in [{min}, {max}]"),
            ))
        }
    }

    /// A parameter's value, checked against its spec's type and range.
    pub fn param(&self, spec: &ParamSpec, value: &Value<'a>) -> Result<f64, InputError> {
        let v = self.number(spec.key(), value)?;
        super::edit::check_value(spec.id, v).map_err(|m| self.error(&value.span(), m))
    }

    /// A value of `factor`: a choice's name (as its index) or a number, checked.
    pub fn factor(&self, factor: super::Factor, value: &Value<'a>) -> Result<f64, InputError> {
        let read = if factor.choices().is_some() {
            factor.choice(&self.string(factor.key(), value)?)
        } else {
            factor.check(self.number(factor.key(), value)?)
        };
        read.map_err(|m| self.error(&value.span(), m))
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
