//! The one output layer: results to stdout, status to stderr (silenced by `--quiet`),
//! colour only on a terminal and never with `NO_COLOR`, JSON or tables, and errors as one
//! sentence (or the JSON error shape) with the documented exit code.

use std::io::{IsTerminal, Write};

use comfy_table::{Color, ContentArrangement, presets};
use serde::Serialize;

use captain::model::Timestamp;
use captain::{Error, ErrorKind};

use super::GlobalArgs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    /// Release notes for a pull-request comment or a chat message (diff, next --preview,
    /// release show, rollback).
    Markdown,
}

/// Marks a write that failed because the reader went away (`captain history | head`):
/// the process exits 0 quietly.
#[derive(Debug)]
pub struct BrokenPipe;

impl std::fmt::Display for BrokenPipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("broken pipe")
    }
}

impl std::error::Error for BrokenPipe {}

/// Ends the process with this exit code after the output already said why (`gate`).
#[derive(Debug)]
pub struct Exit(pub i32);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}

impl std::error::Error for Exit {}

pub struct Ui {
    pub format: OutputFormat,
    pub quiet: bool,
    pub color: bool,
    pub stdin_is_terminal: bool,
    pub stderr_is_terminal: bool,
}

impl Ui {
    pub fn new(global: &GlobalArgs) -> Ui {
        let format = if global.json {
            OutputFormat::Json
        } else {
            global.output
        };
        let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Ui {
            format,
            quiet: global.quiet,
            color: !global.no_color && !no_color_env && std::io::stdout().is_terminal(),
            stdin_is_terminal: std::io::stdin().is_terminal(),
            stderr_is_terminal: std::io::stderr().is_terminal(),
        }
    }

    pub fn json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    pub fn markdown(&self) -> bool {
        self.format == OutputFormat::Markdown
    }

    /// Writes a result to stdout.
    pub fn out(&self, text: &str) -> anyhow::Result<()> {
        let mut stdout = std::io::stdout().lock();
        let written = stdout.write_all(text.as_bytes()).and_then(|()| {
            if text.ends_with('\n') {
                Ok(())
            } else {
                stdout.write_all(b"\n")
            }
        });
        written.and_then(|()| stdout.flush()).map_err(|e| {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                anyhow::Error::new(BrokenPipe)
            } else {
                anyhow::Error::new(Error::failed(format!(
                    "cannot write to standard output: {e}"
                )))
            }
        })
    }

    /// Writes a value as pretty JSON to stdout.
    pub fn out_json<T: Serialize + ?Sized>(&self, value: &T) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| Error::internal(format!("cannot encode the result as JSON: {e}")))?;
        self.out(&text)
    }

    /// A status line on stderr, unless `--quiet`.
    pub fn status(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "{text}");
        }
    }

    /// A warning on stderr (shown even with `--quiet`).
    pub fn warn(&self, text: &str) {
        let _ = writeln!(std::io::stderr().lock(), "warning: {text}");
    }

    /// A table with captain's look.
    pub fn table(&self, header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            color: self.color,
        }
    }

    /// A cell coloured for a deployment outcome or environment state.
    pub fn state_cell(&self, text: &str) -> Cell {
        let cell = Cell::new(text);
        if !self.color {
            return cell;
        }
        let color = match text {
            "approved" => Some(Color::Green),
            t if t.contains("failed") || t.contains("alarm") || t.contains("rolled back") => {
                Some(Color::Red)
            }
            t if t.starts_with("deploying")
                || t.contains("progress")
                || t.starts_with("baking")
                || t.starts_with("verifying") =>
            {
                Some(Color::Yellow)
            }
            "superseded" | "cancelled" | "never deployed" => Some(Color::DarkGrey),
            _ => None,
        };
        match color {
            Some(color) => cell.fg(color),
            None => cell,
        }
    }

    /// Prints an error and returns the exit code for it.
    pub fn report_error(&self, err: &anyhow::Error) -> i32 {
        if err.downcast_ref::<BrokenPipe>().is_some() {
            return 0;
        }
        if let Some(Exit(code)) = err.downcast_ref::<Exit>() {
            return *code;
        }
        let (kind, message, hint) = match err.downcast_ref::<Error>() {
            Some(e) => {
                let message = context_chain(err, &e.message);
                (e.kind, message, e.hint.clone())
            }
            None => (ErrorKind::Failed, format!("{err:#}"), None),
        };
        let mut stderr = std::io::stderr().lock();
        if self.json() {
            let body = captain::views::error::ErrorView::new(kind, message, hint);
            let _ = writeln!(
                stderr,
                "{}",
                serde_json::to_string(&body).unwrap_or_default()
            );
        } else {
            let prefix = if self.stderr_is_terminal && self.color_stderr() {
                "\x1b[1;31merror:\x1b[0m"
            } else {
                "error:"
            };
            let _ = writeln!(stderr, "{prefix} {message}");
            if let Some(hint) = hint {
                let _ = writeln!(stderr, "hint: {hint}");
            }
        }
        kind.exit_code()
    }

    fn color_stderr(&self) -> bool {
        std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
    }
}

/// The messages of the anyhow context layers above a captain error, then its own.
fn context_chain(err: &anyhow::Error, innermost: &str) -> String {
    let mut parts: Vec<String> = err.chain().map(|e| e.to_string()).collect();
    if let Some(last) = parts.last_mut() {
        *last = innermost.to_string();
    }
    parts.dedup();
    parts.join(": ")
}

/// "3h ago", "in 5m", "just now": how tables show times.
pub fn relative_time(now: Timestamp, then: Timestamp) -> String {
    let seconds = now.as_second() - then.as_second();
    let (magnitude, future) = if seconds < 0 {
        (-seconds, true)
    } else {
        (seconds, false)
    };
    let text = match magnitude {
        0..=9 => return "just now".to_string(),
        10..=59 => format!("{magnitude}s"),
        60..=3_599 => format!("{}m", magnitude / 60),
        3_600..=86_399 => format!("{}h", magnitude / 3_600),
        86_400..=604_799 => format!("{}d", magnitude / 86_400),
        604_800..=2_591_999 => format!("{}w", magnitude / 604_800),
        2_592_000..=31_535_999 => format!("{}mo", magnitude / 2_592_000),
        _ => format!("{}y", magnitude / 31_536_000),
    };
    if future {
        format!("in {text}")
    } else {
        format!("{text} ago")
    }
}

/// The first seven characters of a sha, as people write them.
pub fn short(sha: &str) -> &str {
    captain::model::short_sha(sha, 7)
}

/// A table in captain's look: no borders, each cell padded by a space on either side, the
/// header in bold on a terminal. Text without colour and all ASCII (what pipes, CI logs
/// and `NO_COLOR` get) is laid out here, to the very bytes comfy-table writes; anything
/// else goes through comfy-table. Its per-cell work was a quarter of `where` and `status`
/// on the large case (160 rows: 3.6 M instructions of `where`'s 15.6 M).
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<Cell>>,
    color: bool,
}

/// One cell of a [`Table`]: its text and, on a terminal, its colour. Only a table that
/// comfy-table lays out makes comfy-table's cells of them (which split their text into
/// lines as they are made: 0.7 M instructions of `status` on the large case).
#[derive(Clone, Debug)]
pub struct Cell {
    text: String,
    color: Option<Color>,
}

impl Cell {
    pub fn new(text: impl ToString) -> Cell {
        Cell {
            text: text.to_string(),
            color: None,
        }
    }

    /// The cell in colour `color` (shown on a terminal only).
    pub fn fg(self, color: Color) -> Cell {
        Cell {
            color: Some(color),
            ..self
        }
    }

    fn comfy(&self) -> comfy_table::Cell {
        let cell = comfy_table::Cell::new(&self.text);
        match self.color {
            Some(color) => cell.fg(color),
            None => cell,
        }
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell { text, color: None }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::from(text.to_string())
    }
}

impl Table {
    pub fn add_row<T: Into<Cell>>(&mut self, row: impl IntoIterator<Item = T>) -> &mut Table {
        self.rows.push(row.into_iter().map(Into::into).collect());
        self
    }

    fn comfy(&self) -> comfy_table::Table {
        let mut table = comfy_table::Table::new();
        table
            .load_preset(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled);
        table.set_header(self.header.iter().map(|h| {
            let cell = comfy_table::Cell::new(h);
            if self.color {
                cell.add_attribute(comfy_table::Attribute::Bold)
            } else {
                cell
            }
        }));
        for row in &self.rows {
            table.add_row(row.iter().map(Cell::comfy));
        }
        table
    }

    /// The lines laid out directly, or `None` when comfy-table must (colour, a line
    /// break or a character wider or narrower than one column).
    fn plain(&self) -> Option<String> {
        if self.color {
            return None;
        }
        let plain = |text: &str| text.bytes().all(|b| (b' '..=b'~').contains(&b));
        if !self.header.iter().all(|h| plain(h))
            || !self.rows.iter().flatten().all(|c| plain(&c.text))
        {
            return None;
        }
        let columns = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0);
        let mut widths = vec![0; columns];
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.text.len());
            }
        }
        for (width, header) in widths.iter_mut().zip(&self.header) {
            *width = (*width).max(header.len());
        }
        let lines = std::iter::once(self.header.iter().map(String::as_str).collect::<Vec<_>>())
            .chain(
                self.rows
                    .iter()
                    .map(|row| row.iter().map(|c| c.text.as_str()).collect()),
            );
        let mut out = String::new();
        for (index, row) in lines.enumerate() {
            if index > 0 {
                out.push('\n');
            }
            for (column, width) in widths.iter().enumerate() {
                let cell = row.get(column).copied().unwrap_or("");
                out.push(' ');
                out.push_str(cell);
                out.extend(std::iter::repeat_n(' ', width - cell.len() + 1));
            }
        }
        Some(out)
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.plain() {
            Some(text) => f.write_str(&text),
            None => write!(f, "{}", self.comfy()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_read_like_the_article() {
        let now: Timestamp = "2026-11-21T12:00:00Z".parse().expect("valid time");
        let ago = |secs: i64| {
            relative_time(
                now,
                Timestamp::from_second(now.as_second() - secs).expect("in range"),
            )
        };
        assert_eq!(ago(3), "just now");
        assert_eq!(ago(3 * 3600 + 5), "3h ago");
        assert_eq!(ago(86_400 + 10), "1d ago");
        assert_eq!(ago(8 * 86_400), "1w ago");
        assert_eq!(ago(-300), "in 5m");
    }

    fn both(table: &Table) -> (String, String) {
        let plain = table.plain().expect("a plain table is laid out directly");
        (plain, table.comfy().to_string())
    }

    #[test]
    fn a_plain_table_is_laid_out_as_comfy_table_lays_it_out() {
        let mut table = Table {
            header: vec![
                "environment".into(),
                "".into(),
                "release".into(),
                "when".into(),
            ],
            rows: Vec::new(),
            color: false,
        };
        table.add_row(vec![
            "prod-us-west-1a",
            "deploy-3ea70167fb",
            "v9950",
            "4y ago",
        ]);
        table.add_row(vec!["", "", "", ""]);
        table.add_row(vec!["b", "a much longer cell than the header", "v1"]);
        table.add_row(vec![Cell::new("x"), Cell::new("in progress")]);
        let (plain, comfy) = both(&table);
        assert_eq!(plain, comfy);
        // A row longer than the header, and an empty table.
        table.add_row(vec!["1", "2", "3", "4", "five"]);
        let (plain, comfy) = both(&table);
        assert_eq!(plain, comfy);
        let empty = Table {
            header: vec!["a".into(), "b".into()],
            rows: Vec::new(),
            color: false,
        };
        let (plain, comfy) = both(&empty);
        assert_eq!(plain, comfy);
    }

    #[test]
    fn colour_or_wide_text_goes_through_comfy_table() {
        let mut table = Table {
            header: vec!["changes".into()],
            rows: Vec::new(),
            color: false,
        };
        table.add_row(vec!["+20 \u{2212}0"]);
        assert!(table.plain().is_none());
        table.rows.clear();
        table.add_row(vec!["two\nlines"]);
        assert!(table.plain().is_none());
        table.rows.clear();
        table.color = true;
        table.add_row(vec!["x"]);
        assert!(table.plain().is_none());
    }
}
