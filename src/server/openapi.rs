//! `/openapi.json`: the API described for people and generators, written from one table
//! of routes (the same table a test checks against the router, so none is forgotten).
//! Schemas are named after the domain types of `crate::model`; their JSON is serde's.

use serde_json::{Value, json};

/// One route as documented.
pub struct RouteDoc {
    pub method: &'static str,
    /// With `{pipeline}` and other parameters in OpenAPI's brace syntax.
    pub path: &'static str,
    /// The least role that may call it (`None`: no token needed).
    pub role: Option<&'static str>,
    pub summary: &'static str,
    /// The request body's schema name, if any.
    pub body: Option<&'static str>,
    /// The answer's schema name.
    pub answer: &'static str,
    /// Query parameters.
    pub query: &'static [&'static str],
}

const P: &str = "/v1/pipelines/{pipeline}";

macro_rules! route {
    ($m:literal, $path:literal, $role:expr, $summary:literal, $body:expr, $answer:literal $(, $q:literal)*) => {
        RouteDoc { method: $m, path: $path, role: $role, summary: $summary, body: $body, answer: $answer, query: &[$($q),*] }
    };
}

/// Every route the server answers.
pub const ROUTES: &[RouteDoc] = &[
    route!(
        "get",
        "/healthz",
        None,
        "Liveness: the server answers.",
        None,
        "Health"
    ),
    route!(
        "get",
        "/readyz",
        None,
        "Readiness: the database answers (else 503, kind unavailable, with Retry-After).",
        None,
        "Health"
    ),
    route!(
        "get",
        "/openapi.json",
        None,
        "This document.",
        None,
        "OpenApi"
    ),
    route!(
        "get",
        "/v1/whoami",
        Some("read"),
        "The token making the request: its name and role, so a client refuses what the role does not allow before it starts.",
        None,
        "TokenInfo"
    ),
    route!(
        "get",
        "/v1/tokens",
        Some("admin"),
        "List API tokens (never their secrets).",
        None,
        "TokenList"
    ),
    route!(
        "post",
        "/v1/tokens",
        Some("admin"),
        "Create a token; the answer carries its secret, shown this once. Writes a `token.create` audit event.",
        Some("NewToken"),
        "CreatedToken"
    ),
    route!(
        "delete",
        "/v1/tokens/{name}",
        Some("admin"),
        "Revoke a token (query: reason). Writes a `token.revoke` audit event.",
        None,
        "TokenInfo"
    ),
    route!(
        "get",
        "/v1/audit",
        Some("read"),
        "The server's own audit events (token.create, token.revoke), newest first.",
        None,
        "AuditList",
        "limit",
        "target",
        "actor"
    ),
    route!(
        "get",
        "/v1/pipelines/{pipeline}/releases",
        Some("read"),
        "Releases, newest first.",
        None,
        "ReleaseList",
        "limit"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/releases",
        Some("deploy"),
        "Record a release (idempotent for the same commit and artifacts; 409 for a commit an existing release contains).",
        Some("NewRelease"),
        "CreatedRelease"
    ),
    route!(
        "get",
        "/v1/pipelines/{pipeline}/releases/{number}",
        Some("read"),
        "One release (`null` if none).",
        None,
        "ReleaseOrNull"
    ),
    route!(
        "get",
        "/v1/pipelines/{pipeline}/releases/{number}/commits",
        Some("read"),
        "The commits a release introduced, newest first.",
        None,
        "CommitList"
    ),
    route!(
        "get",
        "/v1/pipelines/{pipeline}/releases/{number}/dependencies",
        Some("read"),
        "A release's dependency snapshot.",
        None,
        "DependencySnapshot"
    ),
    route!(
        "get",
        "/v1/pipelines/{pipeline}/commits/{sha}/release",
        Some("read"),
        "The release built from exactly this commit (`null` if none).",
        None,
        "ReleaseOrNull"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/deployments",
        Some("deploy"),
        "Start a deployment an external CI runs, decided by the server with the pipeline it holds (approval order, superseding, locks, window, blocker). A rollback or `force` needs role operator.",
        Some("StartRequest"),
        "Deployment"
    ),
    route!(
        "get",
        "/v1/pipelines/{pipeline}/deployments/{id}",
        Some("read"),
        "One deployment (`null` if none).",
        None,
        "DeploymentOrNull"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/deployments/{id}/finish",
        Some("deploy"),
        "Report how a deployment ended; decided by the server: `approved` waits for external steps and bakes first, another outcome fails the release in its stage (with automatic rollback). Repeating the outcome is a no-op; `force` (role operator) records it as it is.",
        Some("FinishRequest"),
        "Finished"
    ),
    route!(
        "get",
        "/v1/pipelines/{pipeline}/deployments/{id}/log",
        Some("read"),
        "A deployment's captured output, oldest first.",
        None,
        "LogLines"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/deployments/{id}/log",
        Some("deploy"),
        "Append captured output to a deployment's log.",
        Some("AppendLog"),
        "Appended"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/rollbacks",
        Some("operator"),
        "Roll several environments back at once, all or nothing, locking them.",
        Some("NewRollback"),
        "DeploymentList"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/retries",
        Some("operator"),
        "Retry a release that failed in a stage: it is deployed again where it is missing. Writes a `stage.retried` audit event.",
        Some("RetryCommand"),
        "RetryView"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/stages/{stage}/next",
        Some("deploy"),
        "Which release the stage should take now (records what is due first: a bake that ended, a failure's rollbacks).",
        Some("NextRequest"),
        "NextView"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/stages/{stage}/gate",
        Some("read"),
        "Whether a deployment into the stage may start now; records nothing.",
        Some("NextRequest"),
        "NextView"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/stages/{stage}/bake",
        Some("deploy"),
        "Record what the stage's bake decides now (its approval, or its failure with automatic rollback) and how it stands.",
        Some("BakeRequest"),
        "BakeView"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/passes",
        Some("operator"),
        "One pass of a `captain run` loop: it reports its commands' results; the server observes alarms and data points, decides with its pipeline and records, the starts owned by the loop.",
        Some("LoopPass"),
        "LoopAnswer"
    ),
    route!(
        "get",
        "/v1/pipelines",
        Some("read"),
        "The pipelines this server holds, with their newest definition's version.",
        None,
        "PipelineList"
    ),
    route!(
        "get",
        "/v1/pipelines/{pipeline}/definition",
        Some("read"),
        "The newest registered definition (pipeline.toml as pushed).",
        None,
        "PipelineVersion"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/definition",
        Some("operator"),
        "Register pipeline.toml as the next version (validated; the same text again changes nothing). Writes a `pipeline.push` audit event. The only route that may name a pipeline not registered yet.",
        Some("PushRequest"),
        "PushedPipeline"
    ),
    route!(
        "get",
        "/v1/pipelines/{pipeline}/definition/versions",
        Some("read"),
        "Every registered version, newest first.",
        None,
        "PipelineVersions"
    ),
    route!(
        "get",
        "/v1/pipelines/{pipeline}/definition/versions/{version}",
        Some("read"),
        "One registered version.",
        None,
        "PipelineVersion"
    ),
    route!(
        "get",
        "/v1/pipelines/{pipeline}/environments/{environment}/history",
        Some("read"),
        "Deployment history of an environment, newest first.",
        None,
        "HistoryList",
        "limit",
        "since"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/environment-states",
        Some("read"),
        "What the ledger knows of these environments (a read with a body).",
        Some("Environments"),
        "EnvironmentStateList"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/locate",
        Some("read"),
        "Where a commit is (a read with a body).",
        Some("Locate"),
        "CommitLocation"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/stage-approved",
        Some("read"),
        "Has every environment an approved deployment of the release?",
        Some("StageApproved"),
        "Answer"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/stages-approved",
        Some("read"),
        "Batch form of stage-approved.",
        Some("StagesApproved"),
        "BoolList"
    ),
    route!(
        "get",
        "/v1/pipelines/{pipeline}/locks",
        Some("read"),
        "Every lock in force.",
        None,
        "LockList"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/locks",
        Some("operator"),
        "Disable promotions into and/or out of a stage or environment.",
        Some("Lock"),
        "Lock"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/locks/remove",
        Some("operator"),
        "Lift a lock (lifting none is not an error).",
        Some("Unlock"),
        "Lifted"
    ),
    route!(
        "get",
        "/v1/pipelines/{pipeline}/audit",
        Some("read"),
        "Audit events, newest first.",
        None,
        "AuditList",
        "limit",
        "target",
        "actor"
    ),
    route!(
        "get",
        "/v1/pipelines/{pipeline}/export",
        Some("read"),
        "The whole ledger as JSON Lines (`application/x-ndjson`), one record a line.",
        None,
        "LedgerLines"
    ),
    route!(
        "post",
        "/v1/pipelines/{pipeline}/import",
        Some("admin"),
        "Load JSON Lines records, all or nothing; `merge=true` adds to a non-empty ledger.",
        Some("LedgerLines"),
        "ImportSummary",
        "merge"
    ),
];

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// Names of the domain types whose JSON is serde's rendering of `crate::model`.
const SCHEMAS: &[(&str, &str)] = &[
    ("Health", "{\"status\":\"ok\",\"version\":…}"),
    ("OpenApi", "this document"),
    ("TokenList", "{\"tokens\":[TokenInfo]}"),
    (
        "TokenInfo",
        "{name, role: read|deploy|operator|admin, delegate, created_at, created_by, revoked_at|null}",
    ),
    ("NewToken", "{name, role, delegate?, reason?}"),
    ("CreatedToken", "{token: TokenInfo, secret}"),
    ("ReleaseList", "[Release]"),
    (
        "ReleaseOrNull",
        "Release or null: {number:\"v12\", commit, base, artifacts, actor, created_at, commit_count, first_commit, hotfix: {reason, actor}|null}",
    ),
    (
        "NewRelease",
        "{commit, base, artifacts, actor, created_at, commits:[CommitInfo], dependencies:[Dependency], hotfix_reason?}",
    ),
    ("CreatedRelease", "{release: Release, created}"),
    ("CommitList", "[{sha, author, time, subject, parents}]"),
    (
        "DependencySnapshot",
        "[{lockfile, ecosystem, name, version}]",
    ),
    (
        "NewDeployment",
        "{environment, stage, release, kind: normal|rollback, actor, reason, started_at, promotion_check|null, force}",
    ),
    (
        "Deployment",
        "{id, environment, stage, release, kind, actor, reason, started_at, finished_at, outcome}",
    ),
    ("DeploymentOrNull", "Deployment or null"),
    ("DeploymentList", "[Deployment]"),
    (
        "FinishDeployment",
        "{id, outcome, actor, finished_at, reason}",
    ),
    ("LogLines", "[{at, stream, text}]"),
    ("AppendLog", "{lines:[{at, stream, text}]}"),
    ("Appended", "{appended: n}"),
    (
        "NewRollback",
        "{environments:[{environment, stage, release, expected_current, expected_in_progress}], actor, reason, at}",
    ),
    (
        "HistoryList",
        "[{deployment: Deployment, commits:{count, first, last}, added:{count, from, to}, removed:{count, from, to}}]",
    ),
    ("Environments", "{environments:[name]}"),
    (
        "EnvironmentStateList",
        "[{environment, current, in_progress, last_finished}]",
    ),
    ("Locate", "{commit, environments:[name]}"),
    (
        "CommitLocation",
        "{commit, release, deployed_to, not_deployed_to, history}",
    ),
    ("StageApproved", "{release, environments}"),
    ("StagesApproved", "{checks:[StageApproved]}"),
    ("Answer", "{answer: bool}"),
    ("BoolList", "[bool]"),
    ("LockList", "[Lock]"),
    (
        "Lock",
        "{target_kind: stage|environment, target, direction: in|out|both, actor, reason, created_at}",
    ),
    (
        "Unlock",
        "{target_kind, target, direction, actor, reason, at}",
    ),
    ("Lifted", "{lifted: bool}"),
    (
        "AuditList",
        "[{seq, at, actor, action, target, reason, details}]",
    ),
    (
        "LedgerLines",
        "JSON Lines: one ledger record a line (see `captain state export`)",
    ),
    (
        "ImportSummary",
        "{releases, deployments, locks, audit_events, skipped}",
    ),
];

/// The OpenAPI 3.1 document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for route in ROUTES {
        let mut parameters: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        parameters.extend(route.query.iter().map(|name| {
            json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}})
        }));
        let mutation = route.method != "get" && route.path.starts_with(P);
        if mutation {
            parameters.push(json!({
                "name": "Idempotency-Key", "in": "header", "required": false,
                "description": "One random key per logical operation, repeated on retries: a retry gets the first response and records nothing again (kept 24 h).",
                "schema": {"type": "string", "maxLength": 200}
            }));
        }
        let mut operation = json!({
            "summary": route.summary,
            "parameters": parameters,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": schema_ref(route.answer)}}},
                "400": error_response("usage: bad JSON, path or query"),
                "401": error_response("no token, or an unknown or revoked one"),
                "403": error_response("the token's role is too low"),
                "404": error_response("not found"),
                "409": error_response("conflict: someone else changed the state first"),
                "408": error_response("the body did not arrive in time"),
                "413": error_response("the body is too large"),
                "423": error_response("blocked: a lock, a closed gate or a missing approval"),
                "500": error_response("a failure on the server (its log has the detail under the incident number)"),
                "503": error_response("unavailable: the database does not answer or the server is busy; retry after Retry-After"),
            }
        });
        if let Some(body) = route.body {
            operation["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": schema_ref(body)}}});
        }
        match route.role {
            Some(role) => {
                operation["security"] = json!([{"bearer": []}]);
                operation["x-captain-role"] = json!(role);
            }
            None => operation["security"] = json!([]),
        }
        let entry = paths
            .entry(route.path.to_string())
            .or_insert_with(|| json!({}));
        entry[route.method] = operation;
    }
    let mut schemas = serde_json::Map::new();
    for (name, shape) in SCHEMAS {
        schemas.insert(
            name.to_string(),
            json!({"description": format!("captain's JSON for {name}: {shape}")}),
        );
    }
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object",
            "required": ["error"],
            "properties": {"error": {
                "type": "object",
                "required": ["kind", "message", "hint"],
                "properties": {
                    "kind": {"type": "string", "enum": ["usage", "not found", "blocked", "conflict", "error", "internal", "unavailable", "unauthorized", "forbidden"]},
                    "message": {"type": "string"},
                    "hint": {"type": ["string", "null"]}
                }
            }}
        }),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "captain team server",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The ledger of releases and deployments, one request per store operation. Roles: read < deploy < operator < admin; each includes the ones below it. Errors always have the `Error` shape."
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "An API token from `captain token create` (`cpt_…`)."}},
            "schemas": schemas
        },
        "security": [{"bearer": []}],
        "paths": paths
    })
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema_ref("Error")}}})
}
