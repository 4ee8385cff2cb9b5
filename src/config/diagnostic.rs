//! Diagnostics: one problem in `pipeline.toml` with its file, line and column, printed as
//! compilers do (`pipeline.toml:12:9: unknown key `bake_tme`; did you mean `bake_time`?`).

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// One problem found in a pipeline file. Lines and columns count from 1; columns count
/// characters, not bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

/// Collects diagnostics against one source text.
pub(crate) struct Sink<'a> {
    text: &'a str,
    path: &'a Path,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    pub(crate) fn new(text: &'a str, path: &'a Path) -> Self {
        Sink {
            text,
            path,
            diagnostics: Vec::new(),
        }
    }

    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// Line and column (1-based, in characters) of a byte offset; offsets past the end or
    /// inside a character are clamped rather than trusted.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    pub(crate) fn error(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let (line, column) = self.position(span.start);
        self.diagnostics.push(Diagnostic {
            path: self.path.to_path_buf(),
            line,
            column,
            message: message.into(),
            hint,
        });
    }

    /// Sorted by position, without exact repeats (a template expanded many times reports once).
    pub(crate) fn finish(mut self) -> Vec<Diagnostic> {
        self.diagnostics.sort_by_key(|d| (d.line, d.column));
        self.diagnostics.dedup();
        self.diagnostics
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "a = 1\nnamé = \"x\"\n";
        let sink = Sink::new(text, Path::new("p.toml"));
        assert_eq!(sink.position(0), (1, 1));
        assert_eq!(sink.position(6), (2, 1));
        // After the two-byte `é`, the column still counts characters.
        let eq = text
            .find('=')
            .map(|_| text.rfind('=').unwrap_or(0))
            .unwrap_or(0);
        assert_eq!(sink.position(eq), (2, 6));
        assert_eq!(sink.position(10_000), (3, 1));
        // Inside `é` (byte 10 is its second byte): clamped to its start.
        assert_eq!(sink.position(10), (2, 4));
    }

    #[test]
    fn display_joins_message_and_hint() {
        let d = Diagnostic {
            path: "pipeline.toml".into(),
            line: 12,
            column: 9,
            message: "unknown key `bake_tme`".into(),
            hint: Some("did you mean `bake_time`?".into()),
        };
        assert_eq!(
            d.to_string(),
            "pipeline.toml:12:9: unknown key `bake_tme`; did you mean `bake_time`?"
        );
    }
}
