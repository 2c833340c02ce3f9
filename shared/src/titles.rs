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
    /// A control character (a line break, a tab, a NUL …).
    ControlCharacter,
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
        }
    }
}

/// The title as it is kept: trimmed, 1–200 characters, no control characters. What is sent
/// counts too (as the API's schema says), spaces around it included.
pub fn clean_title(raw: &str) -> Result<String, TitleProblem> {
    if raw.chars().count() > TITLE_MAX_CHARS {
        return Err(TitleProblem::TooLong);
    }
    let title = raw.trim();
    if title.is_empty() {
        return Err(TitleProblem::Empty);
    }
    if title.chars().any(char::is_control) {
        return Err(TitleProblem::ControlCharacter);
    }
    Ok(title.to_string())
}

/// A title made from text nobody typed as one (a file's name, tus metadata): control
/// characters become spaces and it is cut at [`TITLE_MAX_CHARS`]; `None` when nothing is left.
pub fn title_from(raw: &str) -> Option<String> {
    let spaced: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let title: String = spaced.trim().chars().take(TITLE_MAX_CHARS).collect();
    let title = title.trim_end().to_string();
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
