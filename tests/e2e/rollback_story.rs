//! The article's rollback story over seven stages, through the CLI end to end: five
//! releases in flight; Region K rolled back from v2 to v1 with promotions into and out of
//! it disabled; more environments rolled back, including ones that had v3 and v4; the fix
//! v6 built and flowing forward while promotions are re-enabled one by one; v6 everywhere.
//! Deployments are recorded as an external CI would (`deploy start` / `deploy finish`),
//! and `captain next` says what the pipeline wants at each step.

use serde_json::{Value, json};

use super::common::{TestEnv, hours_ago};

/// Seven stages, one region each; Region K is the fifth.
const REGIONS: [&str; 7] = [
    "region-a", "region-b", "region-c", "region-d", "region-k", "region-f", "region-g",
];

fn pipeline() -> String {
    let mut text = String::from(
        "name = \"lambda\"\ntimezone = \"UTC\"\n\n[[waves]]\nname = \"production\"\nstages = [\n",
    );
    for (i, region) in REGIONS.iter().enumerate() {
        text.push_str(&format!(
            "  {{ name = \"stage-{}\", environments = [\"{region}\"] }},\n",
            i + 1
        ));
    }
    text.push_str("]\n");
    text
}

struct Story {
    env: TestEnv,
    hour: i64,
}

impl Story {
    fn at(&mut self) -> captain::model::Timestamp {
        self.hour -= 1;
        hours_ago(self.hour)
    }

    /// Commits and releases; returns the release and its commit.
    fn release(
        &mut self,
        file: &str,
        message: &str,
        sandbox: &captain::git::sandbox::Sandbox,
    ) -> (String, String) {
        let now = self.at();
        let sha = sandbox
            .commit(&[(file, message)], message, "Ana Lima", now)
            .expect("commit");
        let json = self
            .env
            .run_at(now, &["release", "create", "--json"])
            .ok()
            .json();
        (json["release"].as_str().expect("release").to_string(), sha)
    }

    /// Deploys `release` to the regions of stages `first..=last` in order, as a CI would.
    fn deploy(&mut self, release: &str, stages: std::ops::RangeInclusive<usize>) {
        for stage in stages {
            let now = self.at();
            let id = self
                .env
                .run_at(
                    now,
                    &[
                        "deploy",
                        "start",
                        REGIONS[stage - 1],
                        "--release",
                        release,
                        "-q",
                    ],
                )
                .ok()
                .stdout;
            self.env
                .run_at(
                    now,
                    &["deploy", "finish", id.trim(), "--outcome", "approved"],
                )
                .ok();
        }
    }

    fn finish_rollbacks(&mut self, out: &Value) {
        for started in out["result"]["deployments"]
            .as_array()
            .expect("deployments")
        {
            assert_eq!(started["kind"], "rollback");
            let id = started["deployment"].as_str().expect("id");
            let now = self.at();
            self.env
                .run_at(now, &["deploy", "finish", id, "--outcome", "approved"])
                .ok();
        }
    }

    fn releases(&self) -> Vec<String> {
        let status = self.env.run(&["status", "--json"]).ok().json();
        status["stages"]
            .as_array()
            .expect("stages")
            .iter()
            .map(|s| {
                s["environments"][0]["release"]
                    .as_str()
                    .unwrap_or("-")
                    .to_string()
            })
            .collect()
    }

    fn locked(&self) -> Vec<String> {
        let locks = self.env.run(&["promotions", "list", "--json"]).ok().json();
        locks["locks"]
            .as_array()
            .expect("locks")
            .iter()
            .filter_map(|l| l["target"].as_str().map(str::to_string))
            .collect()
    }
}

fn the_seven_stage_rollback_story() {
    let env = TestEnv::new();
    let sandbox = env.init_repo(&pipeline());
    let mut s = Story { env, hour: 24 * 10 };

    // Five releases in flight across seven stages.
    let (v1, _) = s.release("src/a.txt", "v1 work", &sandbox);
    s.deploy(&v1, 1..=7);
    let (v2, bug) = s.release("src/bug.txt", "v2: the change with the bug", &sandbox);
    s.deploy(&v2, 1..=5);
    let (v3, _) = s.release("src/c.txt", "v3 work", &sandbox);
    s.deploy(&v3, 1..=4);
    let (v4, _) = s.release("src/d.txt", "v4 work", &sandbox);
    s.deploy(&v4, 1..=3);
    let (v5, _) = s.release("src/e.txt", "v5 work", &sandbox);
    s.deploy(&v5, 1..=2);
    assert_eq!(
        s.releases(),
        [&v5, &v5, &v4, &v3, &v2, &v1, &v1].map(String::clone)
    );

    // 1. Region K is rolled back from v2 to v1; promotions into and out of it are disabled.
    let out = s
        .env
        .run(&[
            "rollback",
            "region-k",
            "--yes",
            "--json",
            "--reason",
            "high severity impact in Region K",
        ])
        .ok()
        .json();
    assert_eq!(out["preview"]["target"], v1.as_str());
    s.finish_rollbacks(&out);
    assert_eq!(s.releases()[4], v1);
    assert_eq!(s.locked(), ["region-k"]);
    s.env
        .run(&["deploy", "start", "region-k", "--release", &v3])
        .code(3);
    s.env
        .run(&["deploy", "start", "region-f", "--release", &v2])
        .code(3);
    let next = s.env.run(&["next", "stage-6", "--json"]).code(0).json();
    assert!(
        next["release"].is_null(),
        "nothing may leave Region K's stage: {next}"
    );
    let location = s.env.run(&["where", &bug, "--json"]).ok().json();
    assert!(
        location["not_deployed_to"]
            .as_array()
            .expect("list")
            .contains(&json!("region-k"))
    );

    // 2. More environments with the same bug are rolled back, including ones that had v3 and v4.
    let out = s
        .env
        .run(&[
            "rollback",
            "region-c",
            "region-d",
            "--to",
            &v1,
            "--yes",
            "--json",
            "--reason",
            "same bug, no impact yet",
        ])
        .ok()
        .json();
    s.finish_rollbacks(&out);
    assert_eq!(
        s.releases(),
        [&v5, &v5, &v1, &v1, &v1, &v1, &v1].map(String::clone)
    );
    let mut locked = s.locked();
    locked.sort();
    assert_eq!(locked, ["region-c", "region-d", "region-k"]);
    let location = s.env.run(&["where", &bug, "--json"]).ok().json();
    assert_eq!(location["deployed_to"], json!(["region-a", "region-b"]));

    // 3. The fix v6 is built and flows forward until the first locked environment.
    let (v6, _) = s.release("src/bug.txt", "v6: fix the bug", &sandbox);
    s.deploy(&v6, 1..=2);
    s.env
        .run(&["deploy", "start", "region-c", "--release", &v6])
        .code(3);

    // 4. Promotions are re-enabled one by one as the fix reaches each environment.
    for (stage, region) in [(3, "region-c"), (4, "region-d"), (5, "region-k")] {
        let next = s
            .env
            .run(&["next", &format!("stage-{stage}"), "--json"])
            .ok()
            .json();
        assert!(next["release"].is_null(), "{region} is locked: {next}");
        s.env
            .run(&[
                "promotions",
                "enable",
                region,
                "--reason",
                "the fix is here",
            ])
            .ok();
        let next = s
            .env
            .run(&["next", &format!("stage-{stage}"), "--json"])
            .ok()
            .json();
        assert_eq!(
            next["release"],
            v6.as_str(),
            "{region} takes the fix: {next}"
        );
        s.deploy(&v6, stage..=stage);
    }
    s.deploy(&v6, 6..=7);

    // 5. The fix is everywhere and nothing is locked.
    assert_eq!(s.releases(), vec![v6.clone(); 7]);
    assert!(s.locked().is_empty());
    let audit = s
        .env
        .run(&["audit", "--json", "--limit", "500"])
        .ok()
        .stdout;
    assert!(
        audit.contains("rollback.start") && audit.contains("lock.remove"),
        "the story is audited"
    );
}

// Runs against a local file and against `captain serve`.
crate::on_both_backends!(the_seven_stage_rollback_story,);
