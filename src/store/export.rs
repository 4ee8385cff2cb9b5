//! The ledger as versioned JSON Lines: the format of `captain state export` / `import`.
//!
//! This room reads and writes the format; it never decides what an import means for a
//! ledger (that is [`Store::import`](super::Store::import), one transaction per backend).
//!
//! # Format (version 1)
//!
//! UTF-8, one JSON object per line, no blank lines. Every object has a `type`. Times are
//! RFC 3339, releases `vN`, deployment ids `deploy-` + hex, commits full 40-hex shas.
//!
//! Line 1 is the header:
//! `{"type":"header","format":"captain-ledger","version":1,"pipeline":"app","exported_at":T}`.
//! A file without it, of another `format`, or of a newer `version` is refused.
//!
//! Then, in this order (an import applies records as it reads them):
//!
//! - `{"type":"release","release":{"number":"v3","commit":SHA,"base":"v2"|null,
//!   "artifacts":{NAME:REF},"actor":…,"created_at":T,"commit_count":2,"first_commit":SHA|null},
//!   "commits":[{"sha":SHA,"author":…,"time":T,"subject":…,"parents":1}, …newest first],
//!   "dependencies":[{"lockfile":"Cargo.lock","ecosystem":"cargo","name":…,"version":…}, …]}`
//!   — releases in number order, each after its base.
//! - `{"type":"deployment","deployment":{"id":"deploy-1d5fb5","environment":…,"stage":…,
//!   "release":"v3","kind":"normal"|"rollback","actor":…,"reason":…|null,"started_at":T,
//!   "finished_at":T|null,"outcome":"approved"|"in progress"|…}}` — in the order they
//!   started; each names a release listed before it.
//! - `{"type":"stage_record","record":{"stage":…,"release":"v3","record":"approved"|"failed"|
//!   "superseded","by":"v4"|null,"reason":…|null,"actor":…,"at":T}}` — what each stage
//!   decided about each release (written by `captain run`), by release then stage.
//! - `{"type":"lock","lock":{"target_kind":"stage"|"environment","target":…,
//!   "direction":"in"|"out"|"both","actor":…,"reason":…,"created_at":T}}`
//! - `{"type":"expedite","expedite":{"release":"v3","actor":…,"reason":…,"at":T,
//!   "approvals":[{"actor":…,"at":T}, …]}}` — a request to expedite a release, with the
//!   approvals it has so far (by name), by release.
//! - `{"type":"override","override":{"target":…,"actor":…,"reason":…,"created_at":T,
//!   "until":T|null}}` — a blocker override (`captain override`), oldest first.
//! - `{"type":"audit","event":{"seq":1,"at":T,"actor":…,"action":"release.create",
//!   "target":"v3","reason":…|null,"details":{…}}}` — oldest first.
//!
//! New fields may be added to a version; none are renamed or removed without a new
//! version number.

use std::io::{BufRead, BufWriter, Write};

use serde::{Deserialize, Serialize};

use super::Store;
use crate::error::{Error, Result};
use crate::model::*;

/// The `format` of the header line.
pub const FORMAT: &str = "captain-ledger";
/// The current format version; `import` accepts this one and older ones it knows.
pub const VERSION: u32 = 1;

/// One line of an export.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LedgerRecord {
    Header {
        format: String,
        version: u32,
        pipeline: Option<String>,
        exported_at: Timestamp,
    },
    Release {
        release: Release,
        commits: Vec<CommitInfo>,
        dependencies: DependencySnapshot,
    },
    Deployment {
        deployment: Deployment,
    },
    StageRecord {
        record: super::StageRecord,
    },
    Lock {
        lock: Lock,
    },
    Expedite {
        expedite: ExpediteExport,
    },
    Override {
        #[serde(rename = "override")]
        record: crate::engine::BlockerOverride,
    },
    Audit {
        event: AuditEvent,
    },
}

/// A request to expedite a release, as an export carries it: who asked, why, when, and
/// who approved it when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ExpediteExport {
    pub release: ReleaseNumber,
    pub actor: String,
    pub reason: String,
    pub at: Timestamp,
    /// In name order.
    #[serde(default)]
    pub approvals: Vec<ExpediteApproval>,
}

/// One person's approval of an expedite.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ExpediteApproval {
    pub actor: String,
    pub at: Timestamp,
}

impl ExpediteExport {
    /// What an imported expedite must be, as a new one is: its people named, its reason
    /// given, its asker not among its approvers (nor anyone twice).
    pub fn check(&self) -> Result<()> {
        let release = self.release;
        if self.actor.trim().is_empty() || self.reason.trim().is_empty() {
            return Err(Error::usage(format!(
                "the expedite of {release} has no asker or no reason"
            )));
        }
        let mut seen = std::collections::BTreeSet::new();
        for approval in &self.approvals {
            if approval.actor.trim().is_empty() || approval.actor == self.actor {
                return Err(Error::usage(format!(
                    "the expedite of {release} has an approval by `{}`, who cannot approve it",
                    approval.actor
                ))
                .with_hint("an expedite is approved by people other than the one who asked"));
            }
            if !seen.insert(approval.actor.as_str()) {
                return Err(Error::usage(format!(
                    "the expedite of {release} has two approvals by `{}`",
                    approval.actor
                )));
            }
        }
        Ok(())
    }
}

/// Whether `import` may add to a ledger that already holds records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportMode {
    /// Refuse unless the ledger is empty.
    EmptyOnly,
    /// Add records; records already present (same release number and commit, same
    /// deployment id) are skipped, contradicting ones are a conflict.
    Merge,
}

/// What an import did.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ImportSummary {
    pub releases: u64,
    pub deployments: u64,
    #[serde(default)]
    pub stage_records: u64,
    pub locks: u64,
    #[serde(default)]
    pub expedites: u64,
    #[serde(default)]
    pub overrides: u64,
    pub audit_events: u64,
    pub skipped: u64,
}

/// Writes the whole ledger of `store` as JSON Lines: the header, then every record.
pub fn write_jsonl(
    store: &dyn Store,
    out: &mut dyn Write,
    pipeline: &str,
    now: Timestamp,
) -> Result<()> {
    let mut out = BufWriter::new(out);
    let header = LedgerRecord::Header {
        format: FORMAT.to_string(),
        version: VERSION,
        pipeline: Some(pipeline.to_string()),
        exported_at: now,
    };
    write_line(&mut out, &header)?;
    store.export(&mut |record| write_line(&mut out, &record))?;
    out.flush().map_err(write_error)
}

fn write_line(out: &mut impl Write, record: &LedgerRecord) -> Result<()> {
    serde_json::to_writer(&mut *out, record)
        .map_err(|e| Error::failed(format!("could not write the export: {e}")))?;
    out.write_all(b"\n").map_err(write_error)
}

fn write_error(e: std::io::Error) -> Error {
    Error::failed(format!("could not write the export: {e}"))
}

/// Reads JSON Lines written by [`write_jsonl`], checking the header first. Each item is
/// one record (the header included); an error names its line ("line 17: …") and ends
/// the iteration.
///
/// A line longer than [`crate::input::IMPORT_LINE_LIMIT`] is refused without reading the
/// rest of it.
pub fn read_jsonl(input: impl BufRead) -> impl Iterator<Item = Result<LedgerRecord>> {
    JsonlReader {
        input,
        line: 0,
        done: false,
        header_required: true,
    }
}

/// [`read_jsonl`] for records that may come without a header (what
/// [`Store::import`] takes, e.g. over the server's API): a header,
/// if line 1 is one, is checked the same way; every line is bounded the same way.
pub fn read_records(input: impl BufRead) -> impl Iterator<Item = Result<LedgerRecord>> {
    JsonlReader {
        input,
        line: 0,
        done: false,
        header_required: false,
    }
}

struct JsonlReader<R> {
    input: R,
    line: usize,
    done: bool,
    header_required: bool,
}

impl<R: BufRead> JsonlReader<R> {
    fn record(&self, text: &str) -> Result<LedgerRecord> {
        let line = self.line;
        if text.trim().is_empty() {
            return Err(Error::usage(format!(
                "line {line}: empty line; every line must be one record"
            )));
        }
        if line == 1 && (self.header_required || is_header(text)) {
            return check_header(text);
        }
        let record: LedgerRecord = serde_json::from_str(text)
            .map_err(|e| Error::usage(format!("line {line}: not a ledger record: {e}")))?;
        if matches!(record, LedgerRecord::Header { .. }) {
            return Err(Error::usage(format!(
                "line {line}: a second header; concatenated exports are not supported"
            )));
        }
        Ok(record)
    }
}

/// Does this line say it is a header (whatever else is wrong with it)?
fn is_header(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .is_some_and(|v| v.get("type").and_then(|t| t.as_str()) == Some("header"))
}

fn check_header(text: &str) -> Result<LedgerRecord> {
    let missing = || {
        Error::usage(format!(
            "line 1: missing header; a ledger export starts with {{\"type\":\"header\",\"format\":\"{FORMAT}\",…}}"
        ))
        .with_hint("give the output of `captain state export`")
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| missing())?;
    if value.get("type").and_then(|t| t.as_str()) != Some("header") {
        return Err(missing());
    }
    let format = value
        .get("format")
        .and_then(|f| f.as_str())
        .unwrap_or_default();
    if format != FORMAT {
        return Err(
            Error::usage(format!("line 1: format `{format}` is not `{FORMAT}`"))
                .with_hint("give the output of `captain state export`"),
        );
    }
    let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
    if version == 0 {
        return Err(
            Error::usage("line 1: the header has no format version (1 or later)")
                .with_hint("give the output of `captain state export`"),
        );
    }
    if version > u64::from(VERSION) {
        return Err(Error::usage(format!(
            "line 1: the export has format version {version}, newer than this captain understands ({VERSION})"
        ))
        .with_hint("upgrade captain to import it"));
    }
    serde_json::from_value(value).map_err(|e| Error::usage(format!("line 1: bad header: {e}")))
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<LedgerRecord>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.line += 1;
        let next =
            crate::input::read_line_bounded(&mut self.input, crate::input::IMPORT_LINE_LIMIT);
        let item = match next.map(|line| {
            line.and_then(|bytes| {
                String::from_utf8(bytes).map_err(|_| {
                    std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text")
                })
            })
        }) {
            None if self.line == 1 && self.header_required => {
                Err(Error::usage("the export is empty: it has no header line"))
            }
            None => {
                self.done = true;
                return None;
            }
            Some(Err(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                Err(Error::usage(format!("line {}: {e}", self.line))
                    .with_hint("give the output of `captain state export`"))
            }
            Some(Err(e)) => Err(Error::failed(format!(
                "line {}: could not read: {e}",
                self.line
            ))),
            Some(Ok(text)) => self.record(&text),
        };
        self.done = item.is_err();
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(items: Vec<Result<LedgerRecord>>) -> Vec<std::result::Result<&'static str, String>> {
        items
            .into_iter()
            .map(|item| {
                item.map(|r| match r {
                    LedgerRecord::Header { .. } => "header",
                    _ => "record",
                })
                .map_err(|e| e.message)
            })
            .collect()
    }

    #[test]
    fn headers_are_checked_where_there_is_one() {
        let header = |v: u32| {
            format!(
                "{{\"type\":\"header\",\"format\":\"{FORMAT}\",\"version\":{v},\"pipeline\":null,\"exported_at\":\"2026-11-01T00:00:00Z\"}}\n"
            )
        };
        let lock = "{\"type\":\"lock\",\"lock\":{\"target_kind\":\"stage\",\"target\":\"beta\",\"direction\":\"in\",\"actor\":\"a\",\"reason\":\"r\",\"created_at\":\"2026-11-01T00:00:00Z\"}}\n";
        let with = format!("{}{lock}", header(1));
        assert_eq!(
            kinds(read_jsonl(with.as_bytes()).collect()),
            [Ok("header"), Ok("record")]
        );
        assert_eq!(
            kinds(read_records(with.as_bytes()).collect()),
            [Ok("header"), Ok("record")]
        );
        // Without a header: an export must have one, records for a store need not.
        assert!(kinds(read_jsonl(lock.as_bytes()).collect())[0].is_err());
        assert_eq!(
            kinds(read_records(lock.as_bytes()).collect()),
            [Ok("record")]
        );
        assert!(read_records(&b""[..]).next().is_none());
        // Version 0 is no version, for both.
        for items in [
            read_jsonl(header(0).as_bytes()).collect::<Vec<_>>(),
            read_records(header(0).as_bytes()).collect(),
        ] {
            assert!(
                kinds(items)[0]
                    .as_ref()
                    .is_err_and(|m| m.contains("no format version"))
            );
        }
    }
}
