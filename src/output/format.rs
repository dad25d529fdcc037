//! Numbers as text: exactly for files (CSV, JSON), briefly for people (tables, readings,
//! labels). One place, so that a file and the sentence quoting it agree.

use crate::run::Summary;

/// A number as written in CSV: the shortest text that reads back to the same f64, and an
/// empty field for a missing value.
pub fn number(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        x.to_string()
    }
}

/// A number for people: 4 significant digits, empty when missing.
pub fn short(x: f64) -> String {
    if x.is_nan() {
        return String::new();
    }
    let digits = if x == 0.0 {
        0
    } else {
        x.abs().log10().floor() as i32
    };
    let decimals = (3 - digits).clamp(0, 6) as usize;
    let s = format!("{x:.decimals$}");
    number(s.parse().unwrap_or(x))
}

/// "[0.3961, 0.4177]", or None when the interval is missing (fewer than two values).
pub fn interval(s: &Summary, signed: bool) -> Option<String> {
    (!s.ci_low.is_nan()).then(|| {
        format!(
            "[{}, {}]",
            number_text(s.ci_low, signed),
            number_text(s.ci_high, signed)
        )
    })
}

/// A number for people (4 significant digits), with a + for positive differences.
fn number_text(x: f64, signed: bool) -> String {
    if signed { signed_number(x) } else { short(x) }
}

/// A difference for people: 4 significant digits and a + when positive.
pub fn signed_number(x: f64) -> String {
    let t = short(x);
    if x > 0.0 { format!("+{t}") } else { t }
}

/// "0.4069 [0.3961, 0.4177]", with a sign for differences; "–" when missing.
pub fn with_interval(value: f64, s: &Summary, signed: bool) -> String {
    if value.is_nan() {
        return "–".into();
    }
    let text = number_text(value, signed);
    match interval(s, signed) {
        Some(ci) => format!("{text} {ci}"),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_missing_is_empty() {
        assert_eq!(number(f64::NAN), "");
        assert_eq!(number(0.1), "0.1");
        let x = 0.28123456789012345;
        assert_eq!(number(x).parse::<f64>().unwrap(), x);
    }

    #[test]
    fn differences_carry_their_sign_and_missing_intervals_are_none() {
        assert_eq!(signed_number(0.1251), "+0.1251");
        assert_eq!(signed_number(-0.02), "-0.02");
        assert_eq!(signed_number(0.0), "0");
        let missing = Summary::of([f64::NAN]);
        assert_eq!(interval(&missing, true), None);
    }
}
