//! The SQLite ledger: the embedded default, one file per pipeline.

use std::path::Path;

use crate::error::{Error, Result};

/// Placeholder until the SQLite backend lands.
pub struct SqliteStore;

impl SqliteStore {
    pub fn open(path: &Path, pipeline: &str) -> Result<SqliteStore> {
        let _ = (path, pipeline);
        Err(Error::internal("not written yet"))
    }
}

use super::*;
use crate::model::*;

fn todo<T>() -> Result<T> {
    Err(Error::internal("not written yet"))
}

impl Store for SqliteStore {
    fn location(&self) -> String {
        String::new()
    }
    fn create_release(&self, _: NewRelease) -> Result<CreatedRelease> {
        todo()
    }
    fn release(&self, _: ReleaseNumber) -> Result<Option<Release>> {
        todo()
    }
    fn release_by_commit(&self, _: &str) -> Result<Option<Release>> {
        todo()
    }
    fn releases(&self, _: &ReleaseFilter) -> Result<Vec<Release>> {
        todo()
    }
    fn release_commits(&self, _: ReleaseNumber) -> Result<Vec<CommitInfo>> {
        todo()
    }
    fn release_dependencies(&self, _: ReleaseNumber) -> Result<DependencySnapshot> {
        todo()
    }
    fn start_deployment(&self, _: NewDeployment) -> Result<Deployment> {
        todo()
    }
    fn finish_deployment(&self, _: FinishDeployment) -> Result<Deployment> {
        todo()
    }
    fn deployment(&self, _: &DeploymentId) -> Result<Option<Deployment>> {
        todo()
    }
    fn history(&self, _: &str, _: &HistoryFilter) -> Result<Vec<HistoryEntry>> {
        todo()
    }
    fn environment_states(&self, _: &[String]) -> Result<Vec<EnvironmentState>> {
        todo()
    }
    fn locate_commit(&self, _: &str, _: &[String]) -> Result<CommitLocation> {
        todo()
    }
    fn stage_approved(&self, _: ReleaseNumber, _: &[String]) -> Result<bool> {
        todo()
    }
    fn locks(&self) -> Result<Vec<Lock>> {
        todo()
    }
    fn audit_events(&self, _: &AuditFilter) -> Result<Vec<AuditEvent>> {
        todo()
    }
    fn export(&self, _: &mut dyn FnMut(LedgerRecord) -> Result<()>) -> Result<()> {
        todo()
    }
    fn import(
        &self,
        _: &mut dyn Iterator<Item = Result<LedgerRecord>>,
        _: ImportMode,
    ) -> Result<ImportSummary> {
        todo()
    }
}
