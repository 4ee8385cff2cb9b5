//! Where the rules run. The commands whose answers are the engine's rule — `deploy
//! start` and `finish`, `next`, `gate`, `bake`, `retry`, `approve`/`reject`, `override`,
//! `release expedite`/`approve`,
//! and each pass of `captain run` — are decided where the ledger is, with that side's
//! pipeline: in this process for a local ledger ([`Local`]), on the team server for a
//! remote one ([`Remote`]: one request, and the server decides with the definition it
//! holds and its own clock, never the client's pipeline.toml). A client's own copy can
//! therefore never widen what a token may do.
//!
//! This room only routes: the rules are the engine's, the operations those of
//! [`crate::ops::deploy`], [`crate::ops::gate`] and [`crate::ops::pass`].

use crate::config::Pipeline;
use crate::engine::BlockerOverride;
use crate::error::Result;
use crate::exec::Probes;
use crate::model::Deployment;
use crate::ops::deploy::{Finished, StartRequest};
use crate::ops::expedite::ExpediteView;
use crate::ops::gate::{BakeView, NextView, RetryView, VerdictView};
use crate::ops::pass::{LoopAnswer, LoopPass};
use crate::store::Store;
use crate::store::http::HttpStore;

pub use crate::store::wire::{
    BakeRequest, ExpediteCommand, FinishRequest, NextRequest, OverrideRequest, RetryCommand,
    VerdictRequest,
};

/// The commands whose answers are the engine's rule, decided where the ledger is.
pub trait Rules {
    fn start(&self, request: StartRequest) -> Result<Deployment>;
    fn finish(&self, request: FinishRequest) -> Result<Finished>;
    fn next(&self, request: NextRequest) -> Result<NextView>;
    fn bake(&self, request: BakeRequest) -> Result<BakeView>;
    fn retry(&self, request: RetryCommand) -> Result<RetryView>;
    fn verdict(&self, request: VerdictRequest) -> Result<VerdictView>;
    fn expedite(&self, request: ExpediteCommand) -> Result<ExpediteView>;
    fn override_blockers(&self, request: OverrideRequest) -> Result<BlockerOverride>;
    fn loop_pass(&self, request: LoopPass) -> Result<LoopAnswer>;
}

/// The rules of `store`'s pipeline: decided here with `pipeline` for a local ledger, by
/// the team server for a remote one.
pub fn of<'a>(
    store: &'a dyn Store,
    pipeline: &'a Pipeline,
    probes: &'a Probes,
) -> Box<dyn Rules + 'a> {
    match store.as_http() {
        Some(http) => Box::new(Remote { http }),
        None => Box::new(Local {
            store,
            pipeline,
            probes,
        }),
    }
}

/// The rules decided in this process, with this pipeline (a local ledger, or the team
/// server deciding for its clients).
pub struct Local<'a> {
    pub store: &'a dyn Store,
    pub pipeline: &'a Pipeline,
    pub probes: &'a Probes,
}

impl Rules for Local<'_> {
    fn start(&self, request: StartRequest) -> Result<Deployment> {
        crate::ops::deploy::start(self.store, self.pipeline, request, self.probes)
    }

    fn finish(&self, r: FinishRequest) -> Result<Finished> {
        crate::ops::deploy::finish(
            self.store,
            self.pipeline,
            r.id,
            r.outcome,
            r.actor,
            r.reason,
            r.force,
            r.now,
            self.probes,
        )
    }

    fn next(&self, r: NextRequest) -> Result<NextView> {
        let record = r.record.then_some(r.actor.as_str());
        crate::ops::gate::next(
            self.store,
            self.pipeline,
            &r.stage,
            r.now,
            self.probes,
            record,
        )
    }

    fn bake(&self, r: BakeRequest) -> Result<BakeView> {
        crate::ops::gate::bake(
            self.store,
            self.pipeline,
            &r.stage,
            r.release,
            r.now,
            self.probes,
            &r.actor,
        )
    }

    fn retry(&self, r: RetryCommand) -> Result<RetryView> {
        crate::ops::gate::retry(
            self.store,
            self.pipeline,
            &r.target,
            r.release,
            &r.actor,
            r.reason.as_deref(),
            r.now,
            self.probes,
        )
    }

    fn verdict(&self, r: VerdictRequest) -> Result<VerdictView> {
        crate::ops::gate::verdict(
            self.store,
            self.pipeline,
            &r.deployment,
            &r.step,
            r.passed,
            &r.actor,
            r.reason,
            r.now,
            self.probes,
        )
    }

    fn expedite(&self, r: ExpediteCommand) -> Result<ExpediteView> {
        if r.approve {
            crate::ops::expedite::approve(
                self.store,
                self.pipeline,
                r.release,
                &r.actor,
                r.reason,
                r.now,
            )
        } else {
            crate::ops::expedite::ask(
                self.store,
                self.pipeline,
                r.release,
                &r.actor,
                r.reason.as_deref().unwrap_or_default(),
                r.now,
            )
        }
    }

    fn override_blockers(&self, r: OverrideRequest) -> Result<BlockerOverride> {
        crate::ops::gate::override_blockers(
            self.store,
            self.pipeline,
            &r.target,
            &r.actor,
            &r.reason,
            r.now,
            std::time::Duration::from_secs(r.seconds),
        )
    }

    fn loop_pass(&self, request: LoopPass) -> Result<LoopAnswer> {
        crate::ops::pass::loop_pass(self.store, self.pipeline, self.probes, &request)
    }
}

/// The rules the team server decides: one request each.
pub struct Remote<'a> {
    pub http: &'a HttpStore,
}

/// A stage name as a path segment.
fn stage_path(stage: &str, what: &str) -> String {
    format!("/stages/{stage}/{what}")
}

impl Rules for Remote<'_> {
    fn start(&self, request: StartRequest) -> Result<Deployment> {
        self.http
            .call("starting a deployment", "/deployments", &request)
    }

    fn finish(&self, request: FinishRequest) -> Result<Finished> {
        let path = format!("/deployments/{}/finish", request.id);
        self.http.call("finishing a deployment", &path, &request)
    }

    fn next(&self, request: NextRequest) -> Result<NextView> {
        if request.record {
            let path = stage_path(&request.stage, "next");
            self.http
                .call("asking which release is next", &path, &request)
        } else {
            let path = stage_path(&request.stage, "gate");
            self.http
                .ask("asking whether the gate is open", &path, &request)
        }
    }

    fn bake(&self, request: BakeRequest) -> Result<BakeView> {
        let path = stage_path(&request.stage, "bake");
        self.http.call("baking a stage", &path, &request)
    }

    fn retry(&self, request: RetryCommand) -> Result<RetryView> {
        self.http.call("retrying a release", "/retries", &request)
    }

    fn verdict(&self, request: VerdictRequest) -> Result<VerdictView> {
        self.http
            .call("recording an approval step", "/step-results", &request)
    }

    fn expedite(&self, request: ExpediteCommand) -> Result<ExpediteView> {
        self.http
            .call("expediting a release", "/expedites", &request)
    }

    fn override_blockers(&self, request: OverrideRequest) -> Result<BlockerOverride> {
        self.http
            .call("overriding a blocker", "/overrides", &request)
    }

    fn loop_pass(&self, request: LoopPass) -> Result<LoopAnswer> {
        self.http.call("a pass of the loop", "/passes", &request)
    }
}
