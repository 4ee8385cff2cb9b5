//! The HTTP client store: the CLI talking to `captain serve` (SPEC §5), one request per
//! store operation, with a bearer token.
//!
//! Errors from the server come back as the same captain error kinds, so every command
//! exits the same on either backend. Every mutation carries an idempotency key made once
//! per operation and repeated on each retry, so a retried request never records twice.
//! Transient failures (connection errors, timeouts, cut-off requests, 502/503/504) are retried a bounded
//! number of times with exponential backoff and jitter.
//!
//! This room only moves operations over the wire; the rules live in the server's store.

use std::io::BufRead;
use std::path::Path;
use std::time::Duration;

use rand::{Rng, RngCore};
use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::export::{ImportMode, ImportSummary, LedgerRecord};
use super::wire::*;
use super::{AuditFilter, HistoryFilter, LogLine, NewRollback, ReleaseFilter, Store, Unlock};
use crate::error::{Error, Result};
use crate::model::*;
use crate::server::auth::{CreatedToken, NewToken, TokenInfo};

/// How to reach a server: its token and the CA to trust besides the system's roots.
#[derive(Clone, Debug, Default)]
pub struct Remote {
    pub token: Option<String>,
    /// A PEM file of CA certificates to trust (a private CA, a self-signed server).
    pub ca_file: Option<std::path::PathBuf>,
    /// Attempts per request (1 = no retry). Default 5.
    pub attempts: Option<u32>,
}

/// A client of one server (for token administration) and, with a pipeline, a store.
pub struct HttpStore {
    base: String,
    pipeline: String,
    client: Client,
    /// A client without a total timeout, for exports and imports of any size: built on
    /// first use, as each blocking client starts a thread of its own (a view's whole
    /// process would wait for two).
    bulk_client: std::sync::OnceLock<Client>,
    ca_file: Option<std::path::PathBuf>,
    token: Option<String>,
    attempts: u32,
    /// The digest of the pipeline.toml this client read (see
    /// [`crate::model::pipeline_digest`]): sent with every request, so a server whose
    /// definition differs refuses instead of answering for another pipeline.
    pipeline_digest: Option<String>,
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

impl HttpStore {
    /// A store for `pipeline` on the server at `url` (`https://host[:port][/prefix]`).
    pub fn open(url: &str, pipeline: &str, remote: &Remote) -> Result<HttpStore> {
        let base = url.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://"))
            || reqwest::Url::parse(&base).is_err()
        {
            return Err(Error::usage(format!(
                "`{url}` is not an http:// or https:// URL"
            )));
        }
        Ok(HttpStore {
            client: build_client(&base, remote.ca_file.as_deref(), Some(REQUEST_TIMEOUT))?,
            base,
            pipeline: pipeline.to_string(),
            bulk_client: std::sync::OnceLock::new(),
            ca_file: remote.ca_file.clone(),
            token: remote.token.clone().filter(|t| !t.trim().is_empty()),
            attempts: remote.attempts.unwrap_or(5).max(1),
            pipeline_digest: None,
        })
    }

    /// The client without a total timeout, built the first time it is needed.
    fn bulk_client(&self) -> Result<&Client> {
        if let Some(client) = self.bulk_client.get() {
            return Ok(client);
        }
        let client = build_client(&self.base, self.ca_file.as_deref(), None)?;
        Ok(self.bulk_client.get_or_init(|| client))
    }

    /// Says which pipeline.toml this client read (its digest), with every request.
    pub fn with_pipeline_digest(mut self, digest: &str) -> HttpStore {
        self.pipeline_digest = Some(digest.to_string());
        self
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}/v1/pipelines/{}{path}",
            self.base,
            path_segment(&self.pipeline)
        )
    }

    /// Sends a request built by `make` (again for each attempt), retrying transient
    /// failures. The response is a success, or the server's error as captain's.
    fn send(&self, what: &str, make: &dyn Fn() -> RequestBuilder) -> Result<Response> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            // A 503's Retry-After (at most MAX_BACKOFF) is the least the next try waits.
            let mut retry_after = Duration::ZERO;
            let mut request = make();
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            if let Some(digest) = &self.pipeline_digest {
                request = request.header(crate::store::wire::PIPELINE_DIGEST_HEADER, digest);
            }
            let transient = match request.send() {
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response)
                    if matches!(
                        response.status(),
                        StatusCode::BAD_GATEWAY
                            | StatusCode::SERVICE_UNAVAILABLE
                            | StatusCode::GATEWAY_TIMEOUT
                    ) =>
                {
                    retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map_or(Duration::ZERO, |secs| {
                            Duration::from_secs(secs).min(MAX_BACKOFF)
                        });
                    let status = response.status();
                    let said = response
                        .bytes()
                        .ok()
                        .and_then(|body| serde_json::from_slice::<ErrorBody>(&body).ok())
                        .map(|e| format!(": {}", e.error.message))
                        .unwrap_or_default();
                    format!("the server answered {status}{said}")
                }
                Ok(response) => return Err(self.server_error(what, response)),
                // A request that failed on the way (refused, reset, timed out, cut off)
                // is safe to send again: reads change nothing and every mutation carries
                // its idempotency key.
                Err(e) if e.is_connect() || e.is_timeout() || e.is_request() => self.describe(&e),
                Err(e) => {
                    return Err(Error::failed(format!(
                        "{what} on {} failed: {}",
                        self.base,
                        self.describe(&e)
                    )));
                }
            };
            if attempt >= self.attempts {
                return Err(Error::failed(format!(
                    "{what} on {} failed after {attempt} attempts: {transient}",
                    self.base
                ))
                .with_hint("check that `captain serve` runs there and is reachable"));
            }
            std::thread::sleep(backoff(attempt).max(retry_after));
        }
    }

    fn describe(&self, e: &reqwest::Error) -> String {
        // The innermost cause says what really happened (refused, certificate unknown…).
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(inner) = source {
            text = inner.to_string();
            source = inner.source();
        }
        text
    }

    fn server_error(&self, what: &str, response: Response) -> Error {
        let status = response.status();
        let body = response.bytes().unwrap_or_default();
        match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(error) => {
                let auth = matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
                let mut e = error.into_error();
                if auth && self.token.is_none() {
                    e = e
                        .with_hint("set CAPTAIN_TOKEN to an API token from `captain token create`");
                }
                e
            }
            Err(_) => Error::failed(format!(
                "{what} on {} failed: the server answered {status}",
                self.base
            )),
        }
    }

    /// A mutation of the pipeline (`path` under `/v1/pipelines/{pipeline}`), with an
    /// idempotency key, for the commands whose rules the server decides.
    pub fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
        body: &B,
    ) -> Result<T> {
        self.mutate(what, path, body)
    }

    /// A question to the server about the pipeline that records nothing (a body, no key).
    pub fn ask<B: Serialize, T: DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
        body: &B,
    ) -> Result<T> {
        self.query(what, path, body)
    }

    /// `captain status`, built by the server with the definition it holds (`GET
    /// …/views/status`: one request, where building it here takes a dozen). `now` counts
    /// only on a server that trusts its clients' clocks (tests pin it).
    pub fn status_view(&self, now: Timestamp) -> Result<crate::views::status::StatusView> {
        self.get(
            "reading the status",
            "/views/status",
            &[("now", now.to_string())],
        )
    }

    /// `captain history ENV`, built by the server (`GET …/views/history/{environment}`).
    pub fn history_view(
        &self,
        environment: &str,
        filter: &HistoryFilter,
    ) -> Result<crate::views::history::HistoryView> {
        let mut query = vec![("limit", filter.limit.unwrap_or(usize::MAX).to_string())];
        if let Some(since) = filter.since {
            query.push(("since", since.to_string()));
        }
        let path = format!("/views/history/{}", path_segment(environment));
        self.get("reading history", &path, &query)
    }

    /// `captain where SHA`, built by the server (`GET …/views/where/{rev}`): a full sha, or
    /// a prefix of one the ledger recorded.
    pub fn where_view(&self, rev: &str) -> Result<crate::views::where_commit::WhereView> {
        if rev.len() < 4 || rev.len() > 64 || !rev.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(
                Error::usage(format!("`{rev}` is not a commit sha (4 to 64 hex digits)"))
                    .with_hint("run in a checkout to name a commit by branch or tag"),
            );
        }
        self.get("locating a commit", &format!("/views/where/{rev}"), &[])
    }

    /// `captain metrics`, computed by the server with the definition it holds.
    pub fn metrics(
        &self,
        query: &crate::views::metrics::MetricsQuery,
    ) -> Result<crate::views::metrics::MetricsView> {
        self.query("computing metrics", "/metrics", query)
    }

    fn get<T: DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        let url = self.url(path);
        let response = self.send(what, &|| self.client.get(&url).query(query))?;
        decode(what, response)
    }

    /// A read that takes a body (lists of environments).
    fn query<B: Serialize, T: DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
        body: &B,
    ) -> Result<T> {
        let url = self.url(path);
        let response = self.send(what, &|| self.client.post(&url).json(body))?;
        decode(what, response)
    }

    /// A mutation: one idempotency key for all its attempts.
    fn mutate<B: Serialize, T: DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
        body: &B,
    ) -> Result<T> {
        let url = self.url(path);
        let key = new_key();
        let response = self.send(what, &|| {
            self.client
                .post(&url)
                .header(IDEMPOTENCY_HEADER, &key)
                .json(body)
        })?;
        decode(what, response)
    }

    // ---- tokens: not a store operation, but the same server and token ----------

    fn token_url(&self, tail: &str) -> String {
        format!("{}/v1/tokens{tail}", self.base)
    }

    pub fn list_tokens(&self) -> Result<Vec<TokenInfo>> {
        #[derive(serde::Deserialize, schemars::JsonSchema)]
        struct List {
            tokens: Vec<TokenInfo>,
        }
        let url = self.token_url("");
        let response = self.send("listing tokens", &|| self.client.get(&url))?;
        decode::<List>("listing tokens", response).map(|l| l.tokens)
    }

    /// Creates a token with a fresh idempotency key, retried like any mutation: a retry
    /// of a creation that went through gets the same token and secret back.
    pub fn create_token(&self, new: &NewToken) -> Result<CreatedToken> {
        self.create_token_with_key(new, &new_key())
    }

    /// [`create_token`](Self::create_token) with a given key (`token create
    /// --idempotency-key`): running the command again with it answers the first creation.
    pub fn create_token_with_key(&self, new: &NewToken, key: &str) -> Result<CreatedToken> {
        let url = self.token_url("");
        let response = self.send("creating a token", &|| {
            self.client
                .post(&url)
                .header(IDEMPOTENCY_HEADER, key)
                .json(new)
        })?;
        decode("creating a token", response)
    }

    /// The server's own audit events (token changes), newest first.
    pub fn server_audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        let mut query = Vec::new();
        if let Some(limit) = filter.limit {
            query.push(("limit", limit.to_string()));
        }
        if let Some(target) = &filter.target {
            query.push(("target", target.clone()));
        }
        if let Some(actor) = &filter.actor {
            query.push(("actor", actor.clone()));
        }
        let url = format!("{}/v1/audit", self.base);
        let response = self.send("reading the server's audit events", &|| {
            self.client.get(&url).query(&query)
        })?;
        decode("reading the server's audit events", response)
    }

    /// The token this client sends, as the server knows it (`GET /v1/whoami`). A server
    /// from before that route says nothing (`None`); it still checks every request.
    pub fn whoami(&self) -> Result<Option<TokenInfo>> {
        if self.token.is_none() {
            return Err(Error::failed(format!(
                "the team server at {} needs an API token and none is set",
                self.base
            ))
            .with_hint("set CAPTAIN_TOKEN to an API token from `captain token create`"));
        }
        let what = "asking the server who the token is";
        let url = format!("{}/v1/whoami", self.base);
        match self.send(what, &|| self.client.get(&url)) {
            Ok(response) => decode(what, response).map(Some),
            Err(e)
                if e.kind == crate::ErrorKind::NotFound
                    && e.message.starts_with("no API route") =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    pub fn revoke_token(&self, name: &str, reason: Option<&str>) -> Result<TokenInfo> {
        let url = self.token_url(&format!("/{}", path_segment(name)));
        let query: Vec<(&str, &str)> = reason.map(|r| ("reason", r)).into_iter().collect();
        let response = self.send("revoking a token", &|| {
            self.client.delete(&url).query(&query)
        })?;
        decode("revoking a token", response)
    }
}

fn decode<T: DeserializeOwned>(what: &str, response: Response) -> Result<T> {
    let url = response.url().to_string();
    let body = response
        .bytes()
        .map_err(|e| Error::failed(format!("{what}: could not read the answer of {url}: {e}")))?;
    serde_json::from_slice(&body).map_err(|e| {
        Error::failed(format!(
            "{what}: {url} answered something that is not captain's JSON: {e}"
        ))
        .with_hint("is that URL a captain server of the same version?")
    })
}

/// 100 ms, 200 ms, 400 ms, … (at most 5 s), each plus up to as much again at random, so
/// many clients retrying together spread out.
fn backoff(attempt: u32) -> Duration {
    let base = FIRST_BACKOFF
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(10))
        .min(MAX_BACKOFF);
    let jitter = rand::rng().random_range(0..=base.as_millis() as u64);
    base + Duration::from_millis(jitter)
}

/// A fresh idempotency key: 128 random bits in hex.
fn new_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A blocking client for the server at `url` (which names it in errors), trusting the
/// CA file's certificates too, with a total timeout per request or none.
fn build_client(url: &str, ca_file: Option<&Path>, total: Option<Duration>) -> Result<Client> {
    let mut builder = Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("captain/", env!("CARGO_PKG_VERSION")))
        .timeout(total);
    if let Some(ca) = ca_file {
        for cert in read_ca(ca)? {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| Error::failed(format!("could not set up the HTTP client for {url}: {e}")))
}

fn read_ca(path: &Path) -> Result<Vec<reqwest::Certificate>> {
    let pem = crate::input::read_regular_file(path, crate::input::SMALL_FILE_LIMIT)
        .map_err(|e| Error::usage(format!("cannot read the CA file {}: {e}", path.display())))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
        Error::usage(format!(
            "the CA file {} is not PEM certificates: {e}",
            path.display()
        ))
    })?;
    if certs.is_empty() {
        return Err(Error::usage(format!(
            "the CA file {} holds no certificate",
            path.display()
        )));
    }
    Ok(certs)
}

impl HttpStore {
    /// Resends parked notifications on the server, with its secrets (`captain notify
    /// retry`).
    pub fn notify_retry(&self, request: &RetryParked) -> Result<RetriedParked> {
        self.query("resending parked notifications", "/notify/retry", request)
    }
}

impl Store for HttpStore {
    fn location(&self) -> String {
        self.base.clone()
    }

    fn token(&self) -> Result<Option<TokenInfo>> {
        self.whoami()
    }

    fn create_release(&self, release: NewRelease) -> Result<CreatedRelease> {
        self.mutate("creating a release", "/releases", &release)
    }

    fn release(&self, number: ReleaseNumber) -> Result<Option<Release>> {
        self.get("reading a release", &format!("/releases/{number}"), &[])
    }

    fn release_by_commit(&self, commit: &str) -> Result<Option<Release>> {
        if !commit.bytes().all(|b| b.is_ascii_hexdigit()) || commit.is_empty() {
            return Ok(None);
        }
        self.get(
            "finding a commit's release",
            &format!("/commits/{commit}/release"),
            &[],
        )
    }

    fn releases(&self, filter: &ReleaseFilter) -> Result<Vec<Release>> {
        let query: Vec<(&str, String)> = filter
            .limit
            .map(|l| ("limit", l.to_string()))
            .into_iter()
            .collect();
        self.get("listing releases", "/releases", &query)
    }

    fn release_commits(&self, number: ReleaseNumber) -> Result<Vec<CommitInfo>> {
        self.get(
            "reading a release's commits",
            &format!("/releases/{number}/commits"),
            &[],
        )
    }

    fn release_dependencies(&self, number: ReleaseNumber) -> Result<DependencySnapshot> {
        self.get(
            "reading a release's dependencies",
            &format!("/releases/{number}/dependencies"),
            &[],
        )
    }

    /// The server decides with its own pipeline: the client's promotion check is not
    /// sent (it would not be trusted).
    fn start_deployment(&self, deployment: NewDeployment) -> Result<Deployment> {
        let request = StartRequest {
            environment: deployment.environment,
            release: deployment.release,
            rollback: deployment.kind == DeploymentKind::Rollback,
            force: deployment.force,
            reason: deployment.reason,
            actor: deployment.actor,
            now: deployment.started_at,
        };
        self.mutate("starting a deployment", "/deployments", &request)
    }

    fn start_rollback(&self, rollback: NewRollback) -> Result<Vec<Deployment>> {
        self.mutate("starting a rollback", "/rollbacks", &rollback)
    }

    /// The server decides with its own pipeline: a reported approval bakes there first.
    fn finish_deployment(&self, finish: FinishDeployment) -> Result<Deployment> {
        let path = format!("/deployments/{}/finish", finish.id);
        let request = FinishRequest {
            id: finish.id,
            outcome: finish.outcome,
            actor: finish.actor,
            reason: finish.reason,
            force: false,
            now: finish.finished_at,
        };
        self.mutate("finishing a deployment", &path, &request)
    }

    fn deployment(&self, id: &DeploymentId) -> Result<Option<Deployment>> {
        self.get("reading a deployment", &format!("/deployments/{id}"), &[])
    }

    fn metric_inputs(
        &self,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<crate::views::metrics::MetricInputs> {
        let _ = (since, until);
        // The server computes the whole view instead (see `HttpStore::metrics`).
        Err(Error::internal(
            "metric inputs are not read over HTTP: the team server computes the metrics",
        ))
    }

    fn ledger_counts(&self) -> Result<super::LedgerCounts> {
        // Only the team server itself reads them, for its `/metrics`.
        Err(Error::internal(
            "ledger totals are not read over HTTP: scrape the team server's /metrics",
        ))
    }

    fn history(&self, environment: &str, filter: &HistoryFilter) -> Result<Vec<HistoryEntry>> {
        let mut query = Vec::new();
        if let Some(limit) = filter.limit {
            query.push(("limit", limit.to_string()));
        }
        if let Some(since) = filter.since {
            query.push(("since", since.to_string()));
        }
        let path = format!("/environments/{}/history", path_segment(environment));
        self.get("reading history", &path, &query)
    }

    fn environment_states(&self, environments: &[String]) -> Result<Vec<EnvironmentState>> {
        let body = EnvironmentsRequest {
            environments: environments.to_vec(),
        };
        self.query("reading environment states", "/environment-states", &body)
    }

    fn locate_commit(&self, commit: &str, environments: &[String]) -> Result<CommitLocation> {
        let body = LocateRequest {
            commit: commit.to_string(),
            environments: environments.to_vec(),
        };
        self.query("locating a commit", "/locate", &body)
    }

    fn stage_approved(&self, release: ReleaseNumber, environments: &[String]) -> Result<bool> {
        let body = StageApprovedRequest {
            release,
            environments: environments.to_vec(),
        };
        self.query::<_, Answer>("checking an approval", "/stage-approved", &body)
            .map(|a| a.answer)
    }

    fn stages_approved(&self, checks: &[(ReleaseNumber, Vec<String>)]) -> Result<Vec<bool>> {
        let body = StagesApprovedRequest {
            checks: checks
                .iter()
                .map(|(release, environments)| StageApprovedRequest {
                    release: *release,
                    environments: environments.clone(),
                })
                .collect(),
        };
        self.query("checking approvals", "/stages-approved", &body)
    }

    fn locks(&self) -> Result<Vec<Lock>> {
        self.get("listing locks", "/locks", &[])
    }

    fn set_lock(&self, lock: Lock) -> Result<()> {
        self.mutate::<_, Lock>("disabling promotions", "/locks", &lock)
            .map(|_| ())
    }

    fn remove_lock(&self, unlock: Unlock) -> Result<bool> {
        self.mutate::<_, Lifted>("enabling promotions", "/locks/remove", &unlock)
            .map(|l| l.lifted)
    }

    fn append_log(&self, id: &DeploymentId, lines: &[LogLine]) -> Result<()> {
        let body = AppendLogRequest {
            lines: lines.to_vec(),
        };
        self.mutate::<_, serde_json::Value>(
            "appending to a log",
            &format!("/deployments/{id}/log"),
            &body,
        )
        .map(|_| ())
    }

    fn deployment_log(&self, id: &DeploymentId) -> Result<Vec<LogLine>> {
        self.get(
            "reading a deployment's log",
            &format!("/deployments/{id}/log"),
            &[],
        )
    }

    fn engine_snapshot(
        &self,
        stages: &[super::StageScope],
        at: Timestamp,
    ) -> Result<super::EngineSnapshot> {
        let body = EngineSnapshotRequest {
            stages: stages.to_vec(),
            at,
        };
        self.query("reading the engine snapshot", "/engine-snapshot", &body)
    }

    /// A team server records only the decisions it makes itself (a loop's pass:
    /// [`crate::ops::rules::Rules::loop_pass`]).
    fn apply_decisions(&self, batch: super::DecisionBatch) -> Result<super::Applied> {
        let _ = batch;
        Err(Error::internal(
            "a team server decides with its own pipeline and takes no decisions from a client",
        ))
    }

    fn record_process(
        &self,
        deployment: &DeploymentId,
        runner: &super::RunnerId,
        process: super::ProcessRecord,
    ) -> Result<()> {
        let body = RecordProcessRequest {
            runner: runner.clone(),
            process,
        };
        let path = format!("/deployments/{deployment}/process");
        self.mutate::<_, serde_json::Value>("recording a process", &path, &body)
            .map(|_| ())
    }

    fn claim_deployments(
        &self,
        runner: Option<&super::RunnerId>,
        claims: &[super::Claim],
    ) -> Result<Vec<DeploymentId>> {
        let body = ClaimRequest {
            runner: runner.cloned(),
            claims: claims.to_vec(),
        };
        self.mutate("taking over deployments", "/claims", &body)
    }

    fn record_override(&self, record: super::run_records::OverrideRecord) -> Result<()> {
        let seconds = record.until.map_or(0, |until| {
            u64::try_from(until.as_second() - record.created_at.as_second()).unwrap_or(0)
        });
        let request = OverrideRequest {
            target: record.target,
            actor: record.actor,
            reason: record.reason,
            seconds,
            now: record.created_at,
        };
        self.mutate::<_, serde_json::Value>("recording an override", "/overrides", &request)
            .map(|_| ())
    }

    fn record_expedite(&self, event: super::ExpediteEvent) -> Result<()> {
        let request = crate::store::wire::ExpediteCommand {
            release: event.release,
            approve: event.approve,
            actor: event.actor,
            reason: event.reason,
            now: event.at,
        };
        self.mutate::<_, serde_json::Value>("expediting a release", "/expedites", &request)
            .map(|_| ())
    }

    fn record_step_result(&self, verdict: super::StepVerdict) -> Result<()> {
        let request = VerdictRequest {
            deployment: verdict.deployment,
            step: verdict.name,
            passed: verdict.passed,
            actor: verdict.actor,
            reason: verdict.reason,
            now: verdict.at,
        };
        self.mutate::<_, serde_json::Value>("recording an approval step", "/step-results", &request)
            .map(|_| ())
    }

    fn retry_release(&self, retry: super::RetryRequest) -> Result<super::StageRecord> {
        #[derive(serde::Deserialize, schemars::JsonSchema)]
        struct Retried {
            record: super::StageRecord,
        }
        let request = RetryCommand {
            target: retry.stage,
            release: Some(retry.release),
            actor: retry.actor,
            reason: retry.reason,
            now: retry.at,
        };
        let retried: Retried = self.mutate("retrying a release", "/retries", &request)?;
        Ok(retried.record)
    }

    fn stage_records(&self, stages: &[String], limit: usize) -> Result<Vec<super::StageRecord>> {
        let body = StageRecordsRequest {
            stages: stages.to_vec(),
            limit,
        };
        self.query("reading stage records", "/stage-records", &body)
    }

    fn deployment_phases(&self, ids: &[DeploymentId]) -> Result<Vec<Option<super::ActiveRecord>>> {
        let body = DeploymentPhasesRequest { ids: ids.to_vec() };
        self.query("reading deployment phases", "/deployment-phases", &body)
    }

    fn as_http(&self) -> Option<&HttpStore> {
        Some(self)
    }

    fn pipeline_version(&self, version: Option<u32>) -> Result<Option<PipelineVersion>> {
        let read = match version {
            None => self.get("reading the pipeline's definition", "/definition", &[]),
            Some(v) => self
                .get::<PipelineVersion>(
                    "reading a pipeline definition",
                    &format!("/definition/versions/{v}"),
                    &[],
                )
                .map(Some),
        };
        match read {
            Err(e) if e.kind == crate::error::ErrorKind::NotFound => Ok(None),
            other => other,
        }
    }

    fn pipeline_versions(&self) -> Result<Vec<PipelineVersion>> {
        let list: PipelineVersions = self.get(
            "listing the pipeline's definitions",
            "/definition/versions",
            &[],
        )?;
        Ok(list.versions)
    }

    fn push_pipeline(&self, push: NewPipelineVersion) -> Result<PushedPipeline> {
        let body = PushRequest {
            definition: push.definition,
            reason: push.reason,
            actor: Some(push.actor),
        };
        self.mutate(
            "registering the pipeline's definition",
            "/definition",
            &body,
        )
    }

    fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        let mut query = Vec::new();
        if let Some(limit) = filter.limit {
            query.push(("limit", limit.to_string()));
        }
        if let Some(target) = &filter.target {
            query.push(("target", target.clone()));
        }
        if let Some(actor) = &filter.actor {
            query.push(("actor", actor.clone()));
        }
        self.get("reading audit events", "/audit", &query)
    }

    fn events_after(
        &self,
        after: EventCursor,
        min_seq: Option<i64>,
        limit: usize,
    ) -> Result<Vec<LoggedEvent>> {
        const WHAT: &str = "reading the event log";
        let mut query = vec![("after", after.to_string()), ("limit", limit.to_string())];
        if let Some(seq) = min_seq {
            query.push(("since", seq.to_string()));
        }
        let url = self.url("/events");
        let response = self.send(WHAT, &|| self.client.get(&url).query(&query))?;
        let text = response
            .text()
            .map_err(|e| Error::failed(format!("{WHAT}: the answer broke off: {e}")))?;
        text.lines()
            .filter(|line| !line.trim().is_empty())
            .enumerate()
            .map(|(i, line)| {
                let line: crate::ops::events::EventLine =
                    serde_json::from_str(line).map_err(|e| {
                        Error::failed(format!("{WHAT}: line {} is not an event: {e}", i + 1))
                    })?;
                Ok(LoggedEvent {
                    cursor: line.cursor.parse()?,
                    event: line.audit,
                })
            })
            .collect()
    }

    fn notify_states(&self) -> Result<Vec<super::NotifyState>> {
        let status: NotifyStatus = self.get("reading notification state", "/notify", &[])?;
        Ok(status.targets)
    }

    fn parked_events(&self, target: Option<&str>) -> Result<Vec<super::ParkedEvent>> {
        let status: NotifyStatus = self.get("reading notification state", "/notify", &[])?;
        Ok(status
            .parked
            .into_iter()
            .filter(|p| target.is_none_or(|t| p.target == t))
            .collect())
    }

    fn export(&self, sink: &mut dyn FnMut(LedgerRecord) -> Result<()>) -> Result<()> {
        let url = self.url("/export");
        let bulk = self.bulk_client()?;
        let response = self.send("exporting the ledger", &|| bulk.get(&url))?;
        let reader = std::io::BufReader::new(response);
        for (i, line) in reader.lines().enumerate() {
            let line = line.map_err(|e| {
                Error::failed(format!(
                    "exporting the ledger: the answer broke off at line {}: {e}",
                    i + 1
                ))
            })?;
            let record: LedgerRecord = serde_json::from_str(&line).map_err(|e| {
                Error::failed(format!(
                    "exporting the ledger: line {} is not a ledger record: {e}",
                    i + 1
                ))
            })?;
            sink(record)?;
        }
        Ok(())
    }

    fn import(
        &self,
        records: &mut dyn Iterator<Item = Result<LedgerRecord>>,
        mode: ImportMode,
    ) -> Result<ImportSummary> {
        // Read everything first: a bad line stops the import before anything is sent.
        let mut body = Vec::new();
        for record in records {
            serde_json::to_writer(&mut body, &record?)
                .map_err(|e| Error::internal(format!("could not encode a record: {e}")))?;
            body.push(b'\n');
        }
        let merge = if mode == ImportMode::Merge {
            "true"
        } else {
            "false"
        };
        let url = self.url("/import");
        let key = new_key();
        let bulk = self.bulk_client()?;
        let response = self.send("importing a ledger", &|| {
            bulk.post(&url)
                .query(&[("merge", merge)])
                .header(IDEMPOTENCY_HEADER, &key)
                .header(reqwest::header::CONTENT_TYPE, "application/x-ndjson")
                .body(body.clone())
        })?;
        decode("importing a ledger", response)
    }
}

/// Pipeline and environment names are plain in pipeline.toml, but escape anything that
/// would change the path (a `/`, a `..` is then one segment the server refuses, never
/// another pipeline's route).
fn path_segment(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_bounded() {
        for attempt in 1..20 {
            let wait = backoff(attempt);
            let base = FIRST_BACKOFF
                .saturating_mul(1 << (attempt - 1).min(10))
                .min(MAX_BACKOFF);
            assert!(wait >= base && wait <= base * 2, "{attempt}: {wait:?}");
        }
    }

    #[test]
    fn keys_are_fresh_and_urls_checked() {
        assert_ne!(new_key(), new_key());
        assert_eq!(new_key().len(), 32);
        assert!(HttpStore::open("ftp://x", "app", &Remote::default()).is_err());
        assert_eq!(path_segment("prod-1a/x y"), "prod-1a%2Fx%20y");
        let store = HttpStore::open("http://127.0.0.1:9", "x/../app", &Remote::default());
        let url = store.map(|s| s.url("/locks")).unwrap_or_default();
        assert_eq!(url, "http://127.0.0.1:9/v1/pipelines/x%2F..%2Fapp/locks");
        // What reqwest sends keeps it one segment.
        assert_eq!(
            reqwest::Url::parse(&url).map(|u| u.path().to_string()).ok(),
            Some("/v1/pipelines/x%2F..%2Fapp/locks".to_string())
        );
    }

    #[test]
    fn an_unreachable_server_is_a_clear_failure_after_bounded_retries() {
        // A port nothing listens on: bind, read the port, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(9);
        let remote = Remote {
            attempts: Some(2),
            ..Remote::default()
        };
        let store = HttpStore::open(&format!("http://127.0.0.1:{port}"), "app", &remote);
        let e = store.and_then(|s| s.locks()).err();
        let e = e
            .map(|e| (e.kind, e.message))
            .unwrap_or((crate::ErrorKind::Internal, String::new()));
        assert_eq!(e.0, crate::ErrorKind::Failed);
        assert!(e.1.contains("after 2 attempts"), "{}", e.1);
    }
}
