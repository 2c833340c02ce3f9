//! Titles of courses, chapters and videos: the one rule both sides apply, so the browser can
//! refuse a bad title before sending it and the server refuses it with the same words.

/// Most characters a title keeps (after trimming).
pub const TITLE_MAX_CHARS: usize = 200;

/// Most characters a course description keeps.
pub const DESCRIPTION_MAX_CHARS: usize = 5000;

/// Why a title was refused, in words for the instructor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TitleProblem {
    /// Nothing but spaces.
    Empty,
    /// Over [`TITLE_MAX_CHARS`].
    TooLong,
    /// A control character (a line break, a tab, a NUL …) or a line or paragraph separator.
    ControlCharacter,
    /// Only invisible characters (zero-width spaces, fillers, soft hyphens …).
    NoVisibleCharacter,
    /// A character that reorders the text around it (U+202E and its kin), which can make a
    /// name read as something it is not.
    DirectionControl,
}

impl TitleProblem {
    /// What to do about it.
    pub fn message(self) -> String {
        match self {
            Self::Empty => "Give it a title.".into(),
            Self::TooLong => format!("Keep the title to {TITLE_MAX_CHARS} characters or fewer."),
            Self::ControlCharacter => {
                "A title is one line: remove line breaks, tabs and other control characters.".into()
            }
            Self::NoVisibleCharacter => {
                "Give it a title with at least one visible letter, number or symbol.".into()
            }
            Self::DirectionControl => {
                "Remove the text-direction control characters (such as U+202E) from the title."
                    .into()
            }
        }
    }
}

/// A line break by another name: one line stays one line.
fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}')
}

/// Bidirectional formatting characters (embeddings, overrides, isolates, marks): with them a
/// name such as `exe.mp4` can be shown as `4pm.exe`.
fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing on their own: spaces, Unicode's default-ignorable code points
/// (zero-width spaces and joiners, the byte-order mark, soft hyphens, variation selectors,
/// tags) and the blank-looking letters (Hangul fillers, the Braille blank).
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
            | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{2800}' | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Whether a name (a title, or a file's name) can be shown as it is: one line, no
/// characters that reorder what is around them, at least one visible character.
pub fn check_shown_name(name: &str) -> Result<(), TitleProblem> {
    if name.chars().any(|c| c.is_control() || is_line_separator(c)) {
        return Err(TitleProblem::ControlCharacter);
    }
    if name.chars().any(is_direction_control) {
        return Err(TitleProblem::DirectionControl);
    }
    if name.chars().all(is_invisible) {
        return Err(TitleProblem::NoVisibleCharacter);
    }
    Ok(())
}

/// The title as it is kept: trimmed (of invisible characters too), 1–200 characters, one
/// line, no direction controls, something visible. What is sent counts too (as the API's
/// schema says), spaces around it included.
pub fn clean_title(raw: &str) -> Result<String, TitleProblem> {
    if raw.chars().count() > TITLE_MAX_CHARS {
        return Err(TitleProblem::TooLong);
    }
    if raw.trim().is_empty() {
        return Err(TitleProblem::Empty);
    }
    check_shown_name(raw)?;
    Ok(raw.trim_matches(is_invisible).to_string())
}

/// A title made from text nobody typed as one (a file's name, tus metadata): control
/// characters and separators become spaces, direction controls go, and it is cut at
/// [`TITLE_MAX_CHARS`]; `None` when nothing visible is left.
pub fn title_from(raw: &str) -> Option<String> {
    let spaced: String = raw
        .chars()
        .filter(|&c| !is_direction_control(c))
        .map(|c| {
            if c.is_control() || is_line_separator(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    let title: String = spaced
        .trim_matches(is_invisible)
        .chars()
        .take(TITLE_MAX_CHARS)
        .collect();
    let title = title.trim_end_matches(is_invisible).to_string();
    (!title.is_empty()).then_some(title)
}

/// A course description as it is kept: trimmed, line breaks allowed, at most 5,000 characters.
pub fn clean_description(raw: &str) -> Result<String, String> {
    if raw.chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(format!(
            "Keep the description to {DESCRIPTION_MAX_CHARS} characters or fewer."
        ));
    }
    let text = raw.trim();
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err("Remove control characters from the description.".into());
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_one_line_and_at_most_200_characters() {
        assert_eq!(clean_title("  Ownership \u{a0}"), Ok("Ownership".into()));
        assert_eq!(clean_title(" \t "), Err(TitleProblem::Empty));
        assert_eq!(clean_title(""), Err(TitleProblem::Empty));
        assert_eq!(clean_title("a\nb"), Err(TitleProblem::ControlCharacter));
        assert_eq!(clean_title("a\0b"), Err(TitleProblem::ControlCharacter));
        assert_eq!(clean_title("a\u{7f}b"), Err(TitleProblem::ControlCharacter));
        let long = "é".repeat(TITLE_MAX_CHARS);
        assert_eq!(clean_title(&long), Ok(long.clone()));
        assert_eq!(
            clean_title(&(long.clone() + "x")),
            Err(TitleProblem::TooLong)
        );
        assert_eq!(
            clean_title(&(long + " ")),
            Err(TitleProblem::TooLong),
            "as sent"
        );
    }

    #[test]
    fn titles_of_nothing_visible_or_with_separators_or_direction_controls_are_refused() {
        for invisible in [
            "\u{200b}",
            "\u{feff}",
            "\u{00ad}",
            "\u{3164}",
            "\u{2800}",
            "\u{200b}\u{2060}",
        ] {
            assert_eq!(
                clean_title(invisible),
                Err(TitleProblem::NoVisibleCharacter),
                "{invisible:?}"
            );
            assert_eq!(title_from(invisible), None, "{invisible:?}");
        }
        for separated in ["a\u{2028}b", "a\u{2029}b", "a\u{85}b"] {
            assert_eq!(clean_title(separated), Err(TitleProblem::ControlCharacter));
        }
        for spoof in ["\u{202e}4pm.exe", "a\u{2066}b\u{2069}", "x\u{200f}"] {
            assert_eq!(clean_title(spoof), Err(TitleProblem::DirectionControl));
        }
        assert_eq!(title_from("\u{202e}4pm.exe"), Some("4pm.exe".into()));
        assert_eq!(title_from("a\u{2028}b"), Some("a b".into()));
        // Invisible characters around a title go; inside one (an emoji's joiner) they stay.
        assert_eq!(clean_title("\u{feff}Week 1\u{200b}"), Ok("Week 1".into()));
        let family = "👩\u{200d}👧";
        assert_eq!(clean_title(family), Ok(family.into()));
        for name in ["Ünïcode", "第一课", "محاضرة"] {
            assert_eq!(check_shown_name(name), Ok(()));
        }
    }

    #[test]
    fn titles_from_file_names_lose_control_characters_and_are_cut() {
        assert_eq!(title_from(" week\n1\t"), Some("week 1".into()));
        assert_eq!(title_from("\u{7}\u{0}"), None);
        let made = title_from(&"y".repeat(300)).expect("a title");
        assert_eq!(clean_title(&made), Ok(made.clone()));
    }

    #[test]
    fn descriptions_keep_line_breaks_but_no_other_control_characters() {
        assert_eq!(clean_description(" a\nb "), Ok("a\nb".into()));
        assert!(clean_description("a\u{1b}b").is_err());
        assert!(clean_description(&"x".repeat(DESCRIPTION_MAX_CHARS + 1)).is_err());
    }
}
