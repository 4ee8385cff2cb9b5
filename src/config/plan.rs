//! `captain plan`: the expanded pipeline as plain data (SPEC §3 JSON shape, plus the
//! effective settings of each stage). The CLI renders it as a table or JSON; nothing
//! here formats for a terminal.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Pipeline;
use super::schema::ApprovalKind;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PlanView {
    pub pipeline: String,
    pub trunk: String,
    pub timezone: String,
    /// Production waves in order, with their own bake.
    pub waves: Vec<PlanWave>,
    pub stages: Vec<PlanStage>,
    /// Every freeze written in pipeline.toml (`freezes = [...]`, pipeline-wide or a
    /// stage's), once, in the order they start, with the stages each holds.
    pub freezes: Vec<PlanFreeze>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PlanFreeze {
    pub from: jiff::Timestamp,
    /// Exclusive.
    pub to: jiff::Timestamp,
    pub reason: String,
    /// Where it is written: `pipeline`, `[defaults]`, `[[waves]] wave-1`, …
    pub scope: String,
    /// The stages it holds, in pipeline order.
    pub stages: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PlanWave {
    pub name: String,
    /// Its stages, in order.
    pub stages: Vec<String>,
    /// The bake after the wave as a whole (`wave_bake_time`), humantime-formatted; its
    /// last stage bakes this after its own `bake_time`.
    pub wave_bake_time: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PlanStage {
    pub name: String,
    pub wave: Option<String>,
    /// Stages inside waves are production; the others are pre-production.
    pub production: bool,
    pub environments: Vec<PlanEnvironment>,
    /// Effective bake time, humantime-formatted (`1h`, `12h`, `0s`).
    pub bake_time: String,
    /// On a wave's last stage with a `wave_bake_time`: the wave's bake, which follows the
    /// stage's own (`12h`); null elsewhere.
    pub wave_bake_time: Option<String>,
    /// `count` data points of `query`, if required.
    pub min_data_points: Option<PlanDataPoints>,
    /// The window in words (`mon-thu 09:00-16:00 America/New_York, except 3 dates`); null = always.
    pub window: Option<String>,
    pub rollback_alarm: Option<String>,
    pub blocker: Option<String>,
    /// The deploy command's argv, unrendered; null when an external CI deploys.
    pub deploy: Option<Vec<String>>,
    /// Approval steps as `kind: name`.
    pub approvals: Vec<String>,
    pub auto_rollback: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PlanDataPoints {
    pub query: String,
    pub count: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PlanEnvironment {
    pub name: String,
    /// Expansion values (`wave`, `region`, `az`, `az_index`); omitted from JSON when empty.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

impl Pipeline {
    /// The expanded pipeline as a view for `captain plan`.
    pub fn plan(&self) -> PlanView {
        PlanView {
            pipeline: self.name.clone(),
            trunk: self.trunk.clone(),
            timezone: self.timezone.clone(),
            waves: self
                .waves
                .iter()
                .map(|w| PlanWave {
                    name: w.name.clone(),
                    stages: w.stages.clone(),
                    wave_bake_time: humantime::format_duration(w.wave_bake_time).to_string(),
                })
                .collect(),
            stages: self
                .stages
                .iter()
                .map(|stage| {
                    let s = &stage.settings;
                    PlanStage {
                        name: stage.name.clone(),
                        wave: stage.wave.clone(),
                        production: stage.is_production(),
                        environments: stage
                            .environments
                            .iter()
                            .map(|e| PlanEnvironment {
                                name: e.name.clone(),
                                labels: e
                                    .labels
                                    .iter()
                                    .map(|(k, v)| (k.to_string(), v.clone()))
                                    .collect(),
                            })
                            .collect(),
                        bake_time: humantime::format_duration(s.bake_time).to_string(),
                        wave_bake_time: (!stage.wave_bake_time.is_zero())
                            .then(|| humantime::format_duration(stage.wave_bake_time).to_string()),
                        min_data_points: s.min_data_points.as_ref().map(|d| PlanDataPoints {
                            query: d.query.clone(),
                            count: d.count,
                        }),
                        window: s.window.as_ref().map(ToString::to_string),
                        rollback_alarm: s.rollback_alarm.as_ref().map(ToString::to_string),
                        blocker: s.blocker.as_ref().map(ToString::to_string),
                        deploy: s.deploy.as_ref().map(|d| d.argv.clone()),
                        approvals: s
                            .approvals
                            .iter()
                            .map(|a| match a.kind {
                                ApprovalKind::External(ref rule) => {
                                    let mut text = format!("external: {}", a.name);
                                    let mut needs = Vec::new();
                                    if rule.count > 1 {
                                        needs.push(format!("{} approvers", rule.count));
                                    }
                                    if !rule.allowed.is_empty() {
                                        needs.push(format!("of {}", rule.allowed.join(", ")));
                                    }
                                    if !rule.self_approval {
                                        needs.push("no self-approval".to_string());
                                    }
                                    if !needs.is_empty() {
                                        text.push_str(&format!(" ({})", needs.join(", ")));
                                    }
                                    text
                                }
                                ref kind => format!("{}: {}", kind.kind_name(), a.name),
                            })
                            .collect(),
                        auto_rollback: s.auto_rollback,
                    }
                })
                .collect(),
            freezes: self.plan_freezes(),
        }
    }

    fn plan_freezes(&self) -> Vec<PlanFreeze> {
        let mut out: Vec<PlanFreeze> = Vec::new();
        for stage in &self.stages {
            for f in &stage.settings.freezes {
                let same = |p: &&mut PlanFreeze| {
                    p.from == f.from && p.to == f.to && p.reason == f.reason && p.scope == f.scope
                };
                match out.iter_mut().find(same) {
                    Some(p) => p.stages.push(stage.name.clone()),
                    None => out.push(PlanFreeze {
                        from: f.from,
                        to: f.to,
                        reason: f.reason.clone(),
                        scope: f.scope.clone(),
                        stages: vec![stage.name.clone()],
                    }),
                }
            }
        }
        out.sort_by_key(|p| (p.from, p.to));
        out
    }
}
