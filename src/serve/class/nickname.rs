//! Nicknames: what a student types, made safe to show and impossible to impersonate.
//!
//! A nickname is shown on the projector beside everyone else's, so two names that look
//! the same must not both be taken ("Alice" in Latin letters and "Аlice" with a Cyrillic
//! А; "é" typed as one character or as e + accent), and characters that show nothing or
//! turn the text around (zero-width spaces, soft hyphens, direction marks) are removed.
//!
//! - [`clean`]: the nickname as shown: Unicode NFC, invisible and direction characters
//!   removed, whitespace runs collapsed, at most [`NICKNAME_MAX`] characters. Markup is kept
//!   as text: every page sets nicknames as text, never as HTML.
//! - [`keys`], [`look_alike`]: the keys two nicknames collide on: the confusables skeleton
//!   of Unicode Technical Standard #39 (the `unicode-security` crate), with case folded.

use unicode_normalization::UnicodeNormalization;
use unicode_security::confusable_detection::skeleton;

/// The longest nickname, in characters.
pub const NICKNAME_MAX: usize = 24;

/// Why a nickname is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Empty,
    TooLong,
}

/// Characters that show nothing or change the direction of the text around them: the
/// Unicode Default_Ignorable_Code_Point set (DerivedCoreProperties.txt), which holds the
/// zero-width and joiner characters, soft hyphen, variation selectors, the bidirectional
/// marks, embeddings, overrides and isolates, plus the interlinear annotation marks.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}'..='\u{1160}' | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
        || c.is_control()
}

/// The nickname as shown, or why it is refused.
pub fn clean(raw: &str) -> Result<String, Refused> {
    // Invisible characters go first, so that "a\u{2060} b" is not two spaces apart; NFC
    // last, as removing a character between a letter and its accent can make them one.
    let visible: String = raw.chars().filter(|&c| !invisible(c)).collect();
    let cleaned: String = visible
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .nfc()
        .collect();
    if cleaned.is_empty() {
        return Err(Refused::Empty);
    }
    if cleaned.chars().count() > NICKNAME_MAX {
        return Err(Refused::TooLong);
    }
    Ok(cleaned)
}

/// The keys nicknames collide on: two nicknames that share a key look alike. The
/// skeleton maps each character to its prototype (Cyrillic а to Latin a, capital I to small
/// l). Case matters to the skeleton ("AIice" is "Alice" as written, "ALICE" is "alice" once
/// lowered), so there are two keys: the skeleton of the lowered name, and the lowered
/// skeleton of the name as written.
pub fn keys(nickname: &str) -> [String; 2] {
    [
        skeleton(&nickname.to_lowercase()).collect(),
        skeleton(nickname).collect::<String>().to_lowercase(),
    ]
}

/// Whether two nicknames look alike (given the keys of the first).
pub fn look_alike(keys_a: &[String; 2], b: &str) -> bool {
    keys(b).iter().any(|k| keys_a.contains(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_and_direction_characters_are_removed() {
        for raw in [
            "Al\u{2060}ice",
            "Al\u{00AD}ice",
            "Al\u{034F}ice",
            "Al\u{180E}ice",
            "Al\u{061C}ice",
            "\u{202E}Alice",
            "Alice\u{200B}",
            " Alice\u{FEFF} ",
        ] {
            assert_eq!(clean(raw).unwrap(), "Alice", "{raw:?}");
        }
        assert_eq!(clean("  a \n b\u{202E} ").unwrap(), "a b");
        assert_eq!(clean("\u{200B}\u{2060} "), Err(Refused::Empty));
        assert_eq!(clean(&"x".repeat(25)), Err(Refused::TooLong));
        assert_eq!(clean("<b>x</b>").unwrap(), "<b>x</b>");
        assert_eq!(clean("王小明").unwrap(), "王小明");
    }

    #[test]
    fn composed_and_decomposed_are_one_nickname() {
        let composed = clean("Ren\u{00E9}").unwrap();
        let decomposed = clean("Rene\u{0301}").unwrap();
        assert_eq!(composed, decomposed);
        assert_eq!(composed.chars().count(), 4);
    }

    #[test]
    fn look_alikes_share_a_key() {
        let alice = keys("Alice");
        for other in [
            "alice",
            "ALICE",
            "\u{0410}lice",
            "AIice",
            "A\u{04CF}ice",
            "Al\u{2060}ice",
        ] {
            assert!(look_alike(&alice, &clean(other).unwrap()), "{other}");
        }
        assert!(!look_alike(&alice, "Alicia"));
        assert!(!look_alike(&keys("王小明"), "王小红"));
        assert!(!look_alike(&keys("student 1"), "student 11"));
    }
}
