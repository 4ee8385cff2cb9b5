//! Two rollbacks of one environment started at the same moment, by two processes: exactly
//! one wins; the other exits 4 naming who rolled back first, and nothing is half-applied.

use std::process::Stdio;

use serde_json::Value;

use super::common::Run;
use super::rollback_preview::scenario;

fn two_concurrent_rollbacks_of_one_environment_one_wins_the_other_exits_4() {
    let s = scenario();
    for environment in ["prod-1", "prod-2"] {
        let go = s.env.path().join(format!("go-{environment}"));
        // Both wait for the same signal, so neither has a head start.
        let children: Vec<_> = ["alice", "bob"]
            .iter()
            .map(|actor| {
                let script = format!(
                    "while [ ! -e '{}' ]; do sleep 0.005; done; exec \"$CAPTAIN\" rollback {environment} --yes --json --reason race",
                    go.display()
                );
                s.env
                    .program("sh")
                    .env("CAPTAIN", env!("CARGO_BIN_EXE_captain"))
                    .env("CAPTAIN_ACTOR", actor)
                    .args(["-c", &script])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn sh")
            })
            .collect();
        std::fs::write(&go, "").expect("signal");
        let runs: Vec<Run> = children
            .into_iter()
            .map(|c| c.wait_with_output().expect("wait").into())
            .collect();
        let winners: Vec<&Run> = runs.iter().filter(|r| r.code == 0).collect();
        let losers: Vec<&Run> = runs.iter().filter(|r| r.code == 4).collect();
        assert_eq!(
            (winners.len(), losers.len()),
            (1, 1),
            "exit codes {:?}; stderr: {:?}",
            runs.iter().map(|r| r.code).collect::<Vec<_>>(),
            runs.iter().map(|r| r.stderr.as_str()).collect::<Vec<_>>()
        );
        let won = winners[0].json();
        let id = won["result"]["deployments"][0]["deployment"]
            .as_str()
            .expect("id")
            .to_string();
        let history = s.env.run(&["history", environment, "--json"]).ok().json();
        let winner_actor = history["deployments"][0]["actor"]
            .as_str()
            .expect("actor")
            .to_string();
        assert_eq!(history["deployments"][0]["id"], id.as_str());

        // The loser says who changed what first, in the JSON error shape.
        let error: Value = serde_json::from_str(losers[0].stderr.trim()).expect("JSON error");
        assert_eq!(error["error"]["kind"], "conflict");
        let message = error["error"]["message"].as_str().expect("message");
        assert!(message.contains(environment), "{message}");
        assert!(message.contains(&id), "{message}");
        assert!(
            message.contains(&format!(
                "rollback to {} by {winner_actor}",
                won["preview"]["target"].as_str().expect("target")
            )),
            "{message}"
        );
        assert!(message.contains("first"), "{message}");
        assert!(losers[0].stdout.is_empty());

        // Exactly one rollback deployment, one lock, by the winner.
        let rollbacks = history["deployments"]
            .as_array()
            .expect("deployments")
            .iter()
            .filter(|d| d["kind"] == "rollback")
            .count();
        assert_eq!(rollbacks, 1);
        let locks = s.env.run(&["promotions", "list", "--json"]).ok().json();
        let mine: Vec<&Value> = locks["locks"]
            .as_array()
            .expect("locks")
            .iter()
            .filter(|l| l["target"] == environment)
            .collect();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0]["actor"], winner_actor.as_str());
    }
}

// Each runs against a local file and against `captain serve`.
crate::on_both_backends!(two_concurrent_rollbacks_of_one_environment_one_wins_the_other_exits_4,);
