//! The JSON Schema of every `--output json` view, generated from the Rust types that
//! serialize it (schemars, JSON Schema 2020-12, describing what captain writes). The
//! files are committed under `schemas/` — one per view, `schemas/status.json` for
//! `captain status` — written by `captain schemas DIR`; a test keeps them current and
//! validates every command's real output against them.

use std::path::Path;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};

use crate::error::{Error, Result};

/// One view: its file name (without `.json`), the command that prints it, and its schema.
pub struct ViewSchema {
    pub name: &'static str,
    pub command: &'static str,
    pub schema: Schema,
}

fn view<T: JsonSchema>(name: &'static str, command: &'static str) -> ViewSchema {
    let mut schema = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>();
    schema.insert("title".into(), format!("{command} --output json").into());
    ViewSchema {
        name,
        command,
        schema,
    }
}

/// Every view, in the order the README lists them.
pub fn all() -> Vec<ViewSchema> {
    use crate::views::*;
    vec![
        view::<status::StatusView>("status", "captain status"),
        view::<history::HistoryView>("history", "captain history ENV"),
        view::<where_commit::WhereView>("where", "captain where REV"),
        view::<metrics::MetricsView>("metrics", "captain metrics"),
        view::<crate::config::PlanView>("plan", "captain plan"),
        view::<setup::ValidateView>("validate", "captain validate"),
        view::<setup::ConfigView>("config", "captain config"),
        view::<release::ReleaseCreated>("release-create", "captain release create"),
        view::<release::ReleaseList>("release-list", "captain release list"),
        view::<release::ReleaseShow>("release-show", "captain release show vN"),
        view::<release::ReleaseBlocked>("release-block", "captain release block vN"),
        view::<release::ReleaseUnblocked>("release-unblock", "captain release unblock vN"),
        view::<freeze::FreezeSet>("freeze", "captain freeze [TARGET]"),
        view::<freeze::FreezeLifted>("unfreeze", "captain unfreeze [TARGET]"),
        view::<crate::ops::expedite::ExpediteView>(
            "release-expedite",
            "captain release expedite|approve vN",
        ),
        view::<deploy::DeploymentStarted>("deploy-start", "captain deploy start ENV"),
        view::<crate::ops::deploy::Finished>("deploy-finish", "captain deploy finish ID"),
        view::<crate::ops::gate::NextView>("next", "captain next STAGE"),
        view::<preview::NextPreviewView>("next-preview", "captain next STAGE --preview"),
        view::<deploy::GateView>("gate", "captain gate STAGE"),
        view::<crate::ops::gate::BakeView>("bake", "captain bake STAGE"),
        view::<crate::ops::gate::RetryView>("retry", "captain retry ENV|STAGE"),
        view::<crate::ops::gate::VerdictView>("approve", "captain approve|reject DEPLOYMENT"),
        view::<crate::engine::BlockerOverride>("override", "captain override TARGET"),
        view::<deploy::LogView>("logs", "captain logs DEPLOYMENT"),
        view::<run::RunEventView>("run-event", "captain run (one line per event)"),
        view::<preview::DiffView>("diff", "captain diff A B"),
        view::<rollback::RollbackView>("rollback", "captain rollback TARGET…"),
        view::<promotions::PromotionsList>("promotions-list", "captain promotions list"),
        view::<promotions::PromotionsDisabled>(
            "promotions-disable",
            "captain promotions disable TARGET…",
        ),
        view::<promotions::PromotionsEnabled>(
            "promotions-enable",
            "captain promotions enable TARGET…",
        ),
        view::<ledger::AuditView>("audit", "captain audit"),
        view::<crate::ops::events::EventLine>("events", "captain events (one line per event)"),
        view::<ledger::NotifyStatusView>("notify-status", "captain notify status"),
        view::<crate::model::PushedPipeline>("pipeline-push", "captain pipeline push"),
        view::<crate::model::PipelineVersion>("pipeline-show", "captain pipeline show"),
        view::<ledger::PipelineHistory>("pipeline-history", "captain pipeline history"),
        view::<crate::ops::definition::DefinitionDiff>("pipeline-diff", "captain pipeline diff"),
        view::<crate::store::export::ImportSummary>("state-import", "captain state import"),
        view::<crate::engine::simulate::SimulationReport>("simulate", "captain simulate"),
        view::<crate::server::auth::CreatedToken>("token-create", "captain token create"),
        view::<ledger::TokenList>("token-list", "captain token list"),
        view::<crate::server::auth::TokenInfo>("token-revoke", "captain token revoke NAME"),
        view::<error::ErrorView>("error", "any command that fails (on stderr)"),
    ]
}

/// The text of a schema file: pretty JSON and a final newline.
pub fn text(schema: &Schema) -> String {
    let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes `NAME.json` for every view into `dir` (created if missing); the names written.
pub fn write_all(dir: &Path) -> Result<Vec<String>> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::failed(format!("cannot create {}: {e}", dir.display())))?;
    let mut written = Vec::new();
    for view in all() {
        let file = format!("{}.json", view.name);
        let path = dir.join(&file);
        std::fs::write(&path, text(&view.schema))
            .map_err(|e| Error::failed(format!("cannot write {}: {e}", path.display())))?;
        written.push(file);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_view_has_one_file_and_an_object_schema() {
        let views = all();
        let mut names: Vec<&str> = views.iter().map(|v| v.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), views.len(), "two views share a file name");
        for view in &views {
            let object = view.schema.as_object();
            assert!(
                object.is_some_and(|o| o.contains_key("type") || o.contains_key("oneOf")),
                "{}: {}",
                view.name,
                text(&view.schema)
            );
        }
    }

    #[test]
    fn release_numbers_and_times_are_described_as_strings() {
        let status = all()
            .into_iter()
            .find(|v| v.name == "status")
            .map(|v| text(&v.schema))
            .unwrap_or_default();
        assert!(status.contains(r#""ReleaseNumber": {"#), "{status}");
        assert!(status.contains(r#""pattern": "^[vV]?0*[1-9]"#), "{status}");
        assert!(status.contains(r#""format": "date-time""#), "{status}");
    }
}
