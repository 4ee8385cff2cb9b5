//! Raw HTTP against a real `captain serve`: hostile requests get clean 4xx answers in the
//! JSON error shape and the server stays up; a mutation retried with its idempotency key
//! records once; `/openapi.json` documents every route; SIGTERM drains and exits 0.

#![allow(clippy::unwrap_used)]

use captain::server::auth::Role;
use reqwest::blocking::Client;
use serde_json::{Value, json};

use super::server_harness::Server;
use super::store_story::{at, new_release, sha};

fn error_kind(response: reqwest::blocking::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().unwrap();
    assert!(body["error"]["message"].is_string(), "{body}");
    (status, body["error"]["kind"].as_str().unwrap().to_string())
}

#[test]
fn hostile_requests_get_clean_errors_and_the_server_stays_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    server.register(super::server_story::STORY_PIPELINE);
    // A connection per request: a refused request may end its connection, and a raw
    // client (unlike captain's, which retries) would see the next request on it fail.
    let client = Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let token = server.admin.clone();
    let base = format!("{}/v1/pipelines/app", server.url);
    let post = |path: &str, body: Vec<u8>| {
        client
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .body(body)
            .send()
            .unwrap()
    };
    let get = |path: &str| {
        client
            .get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send()
            .unwrap()
    };

    assert_eq!(
        error_kind(post("/deployments", b"{not json".to_vec())),
        (400, "usage".into())
    );
    assert_eq!(
        error_kind(post("/deployments", b"[1,2,3]".to_vec())),
        (400, "usage".into())
    );
    // What schemathesis found: serde reads a struct from an array of its fields, so
    // `[null]` passed for `{}` and resent parked notifications; every body is an object.
    for (path, body) in [
        ("/notify/retry", "[null]"),
        ("/notify/retry", "[]"),
        ("/locks", "[\"stage\", \"gamma\"]"),
        ("/stage-records", " [[\"gamma\"], 5]"),
    ] {
        assert_eq!(
            error_kind(post(path, body.as_bytes().to_vec())),
            (400, "usage".into()),
            "{path} {body}"
        );
    }
    assert_eq!(
        error_kind(post("/locks", vec![b' '; 5 << 20])),
        (413, "usage".into())
    );
    assert_eq!(
        error_kind(post("/import", b"\xff\xfe".to_vec())),
        (400, "usage".into())
    );
    // What schemathesis found: an empty import, a lock no `locks` request could make
    // (with or without the export's header), and a commit route given no sha — each
    // refused.
    assert_eq!(
        error_kind(post("/import", Vec::new())),
        (400, "usage".into())
    );
    let lock = br#"{"type":"lock","lock":{"actor":"","created_at":"2000-01-01T00:00:00Z","direction":"in","reason":"0","target":"","target_kind":"stage"}}"#;
    assert_eq!(
        error_kind(post("/import?merge=true", lock.to_vec())),
        (400, "usage".into())
    );
    let header = r#"{"type":"header","format":"captain-ledger","version":1,"pipeline":"app","exported_at":"2000-01-01T00:00:00Z"}"#;
    let with_header = format!("{header}\n{}\n", String::from_utf8_lossy(lock));
    let (status, _) = error_kind(post("/import?merge=true", with_header.into_bytes()));
    assert_eq!(status, 400);
    assert!(
        get("/locks")
            .json::<Value>()
            .unwrap()
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        error_kind(get("/commits/%C2%84/release")),
        (400, "usage".into())
    );
    assert_eq!(error_kind(get("/releases/v0")), (400, "usage".into()));
    assert_eq!(
        error_kind(get("/releases/v99999999999999999999999")),
        (400, "usage".into())
    );
    assert_eq!(error_kind(get("/deployments/zz")), (400, "usage".into()));
    assert_eq!(error_kind(get("/releases?limit=-1")), (400, "usage".into()));
    assert_eq!(
        error_kind(get("/environments/x/history?since=yesterday")),
        (400, "usage".into())
    );
    assert_eq!(error_kind(get("/nowhere")), (404, "not found".into()));
    assert_eq!(
        error_kind(
            client
                .get(format!("{}/v1/pipelines/..%2F..%2Fetc/locks", server.url))
                .bearer_auth(&token)
                .send()
                .unwrap()
        ),
        (400, "usage".into())
    );
    assert_eq!(
        error_kind(
            client
                .delete(format!("{base}/locks"))
                .bearer_auth(&token)
                .send()
                .unwrap()
        ),
        (405, "usage".into())
    );
    assert_eq!(
        error_kind(
            client
                .get(format!("{base}/locks"))
                .bearer_auth("cpt_guess")
                .send()
                .unwrap()
        ),
        (401, "unauthorized".into())
    );
    assert_eq!(
        error_kind(
            client
                .get(format!("{base}/locks"))
                .header("authorization", "Basic eDp5")
                .send()
                .unwrap()
        ),
        (401, "unauthorized".into())
    );
    // Valid JSON that breaks a ledger rule maps to the rule's kind.
    let missing = json!({"environment":"beta","release":"v7","rollback":false,"actor":"x",
        "reason":null,"now":"2026-01-01T00:00:00Z","force":false});
    assert_eq!(
        error_kind(post("/deployments", serde_json::to_vec(&missing).unwrap())),
        (404, "not found".into())
    );
    assert_eq!(get("/releases/v1").text().unwrap(), "null");

    assert_eq!(
        client
            .get(format!("{}/healthz", server.url))
            .send()
            .unwrap()
            .status(),
        200
    );
    assert!(server.is_running());
    // Graceful shutdown on SIGTERM: drains and exits 0.
    assert_eq!(server.terminate(), Some(0));
    assert!(server.log().contains("shutting down"));
}

/// On SQLite the keys live in the pipeline's ledger file, where the key's claim, the
/// mutation and the stored answer are one transaction; the server's own file keeps none.
#[test]
fn a_retried_mutation_with_the_same_key_records_once() {
    let dir = tempfile::tempdir().unwrap();
    retried_mutations_record_once(&Server::start(dir.path()));
    let ledger = rusqlite::Connection::open(dir.path().join("db/app.sqlite")).unwrap();
    let status = |key: &str| -> Option<u16> {
        ledger
            .query_row(
                "SELECT status FROM idempotency_keys WHERE token = 'ci' AND key = ?1",
                [key],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(status("k-start"), Some(200));
    assert_eq!(status("k-again"), Some(409));
    assert_eq!(status("k-race"), Some(200));
    let server = rusqlite::Connection::open(dir.path().join("db/server.sqlite")).unwrap();
    let kept: i64 = server
        .query_row("SELECT count(*) FROM idempotency", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 0);
}

/// On PostgreSQL the key's claim, the mutation and the stored answer are one transaction.
#[test]
fn a_retried_mutation_with_the_same_key_records_once_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let database = super::pg_harness::fresh_database();
    retried_mutations_record_once(&Server::start_on(dir.path(), &database, &[], None));
}

/// One stage of three environments: each start below is the stage's release going to one
/// more of them, as the server's rules allow.
const KEYS_PIPELINE: &str =
    "name = \"app\"\n[[stages]]\nname = \"all\"\nenvironments = [\"beta\", \"gamma\", \"delta\"]\n";

fn retried_mutations_record_once(server: &Server) {
    server.register(KEYS_PIPELINE);
    let ci = server.token("ci", Role::Deploy, true);
    let client = Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let base = format!("{}/v1/pipelines/app", server.url);
    let send = |path: &str, key: Option<&str>, body: &Value| {
        let mut request = client
            .post(format!("{base}{path}"))
            .bearer_auth(&ci)
            .json(body);
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        request.send().unwrap()
    };
    let release = serde_json::to_value(new_release("a", None, &["a"], "img@1")).unwrap();
    assert_eq!(send("/releases", Some("k-release"), &release).status(), 200);

    let start = json!({"environment":"beta","release":"v1","rollback":false,"actor":"ci",
        "reason":null,"now":at(10),"force":false});
    let first = send("/deployments", Some("k-start"), &start);
    assert_eq!(first.status(), 200);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().unwrap();
    // The retry (same key, same body) gets the same deployment back, marked as a replay.
    let again = send("/deployments", Some("k-start"), &start);
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
    assert_eq!(again.json::<Value>().unwrap(), first);
    // Without the key, a second start is what it is: a conflict.
    assert_eq!(
        error_kind(send("/deployments", None, &start)),
        (409, "conflict".into())
    );
    // A refused mutation with a key (it changed nothing) answers its retries the same.
    let refused = send("/deployments", Some("k-again"), &start);
    assert!(refused.headers().get("idempotent-replayed").is_none());
    assert_eq!(error_kind(refused), (409, "conflict".into()));
    let refused = send("/deployments", Some("k-again"), &start);
    assert_eq!(
        refused.headers().get("idempotent-replayed").unwrap(),
        "true"
    );
    assert_eq!(error_kind(refused), (409, "conflict".into()));
    // The same key for another request is refused.
    let other = json!({"environment":"gamma","release":"v1","rollback":false,"actor":"ci",
        "reason":null,"now":at(10),"force":false});
    assert_eq!(
        error_kind(send("/deployments", Some("k-start"), &other)),
        (400, "usage".into())
    );

    // Errors replay too: a refused request retried is refused the same way.
    let rollback = json!({"environment":"beta","release":"v1","rollback":true,"actor":"ci",
        "reason":null,"now":at(10),"force":false});
    assert_eq!(
        error_kind(send("/deployments", Some("k-rb"), &rollback)),
        (403, "forbidden".into())
    );

    // Finishing, retried: one finish event.
    let id = first["id"].as_str().unwrap();
    let finish = json!({"id":id,"outcome":"approved","actor":"ci","now":at(20),"reason":null});
    for _ in 0..3 {
        assert_eq!(
            send(
                &format!("/deployments/{id}/finish"),
                Some("k-finish"),
                &finish
            )
            .status(),
            200
        );
    }
    // A log append retried appends once.
    let lines = json!({"lines":[{"at":at(15),"stream":"stdout","text":"deploying"}]});
    for _ in 0..3 {
        assert_eq!(
            send(&format!("/deployments/{id}/log"), Some("k-log"), &lines).status(),
            200
        );
    }

    // The same request with one key sent eight times at once: one deployment, and
    // every answer is its.
    let racing = json!({"environment":"delta","release":"v1","rollback":false,"actor":"ci",
        "reason":null,"now":at(30),"force":false});
    let answers: Vec<Value> = std::thread::scope(|scope| {
        let sends: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    let response = send("/deployments", Some("k-race"), &racing);
                    assert_eq!(response.status(), 200);
                    response.json::<Value>().unwrap()
                })
            })
            .collect();
        sends.into_iter().map(|s| s.join().unwrap()).collect()
    });
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");

    let store = server.store("app");
    use captain::store::Store;
    let history = store.history("beta", &Default::default()).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        store.history("delta", &Default::default()).unwrap().len(),
        1
    );
    assert_eq!(
        store
            .deployment_log(&captain::model::DeploymentId(id.into()))
            .unwrap()
            .len(),
        1
    );
    let audit = store.audit_events(&Default::default()).unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "deployment.start",
            "deployment.finish",
            "deployment.start",
            "release.create",
            // The test registered the pipeline first.
            "pipeline.push"
        ]
    );
    assert_eq!(
        store
            .release_by_commit(&sha("a"))
            .unwrap()
            .map(|r| r.number.0),
        Some(1)
    );
}

/// A release created with an idempotency key (on PostgreSQL in one call of
/// `captain.create_release`, SQLite in the ledger's transaction): retried, it is answered
/// byte for byte as the first time and marked as a replay; the key reused for another
/// release is refused; eight same-key creates at once make one release and eight equal
/// answers; a new key for a commit released already gets that release again (`created`
/// false); a refusal (a missing base) is replayed as refused. Each release leaves one
/// `release.create` event whose target is its number.
#[test]
fn a_retried_release_create_records_once() {
    let dir = tempfile::tempdir().unwrap();
    retried_release_creates_record_once(&Server::start(dir.path()));
}

#[test]
fn a_retried_release_create_records_once_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let database = super::pg_harness::fresh_database();
    retried_release_creates_record_once(&Server::start_on(dir.path(), &database, &[], None));
}

fn retried_release_creates_record_once(server: &Server) {
    server.register(KEYS_PIPELINE);
    let ci = server.token("ci", Role::Deploy, true);
    let client = Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let url = format!("{}/v1/pipelines/app/releases", server.url);
    let send = |key: &str, body: &captain::model::NewRelease| {
        client
            .post(&url)
            .bearer_auth(&ci)
            .header("idempotency-key", key)
            .json(body)
            .send()
            .unwrap()
    };
    let replayed =
        |r: &reqwest::blocking::Response| r.headers().get("idempotent-replayed").is_some();

    let a = new_release("a", None, &["a"], "img@1");
    let first = send("k-a", &a);
    assert_eq!(first.status(), 200);
    assert!(!replayed(&first));
    let first = first.bytes().unwrap();
    let created: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(created["release"]["number"], "v1");
    assert_eq!(created["release"]["commit"], sha("a"));
    assert_eq!(created["created"], true);
    let again = send("k-a", &a);
    assert_eq!(again.status(), 200);
    assert!(replayed(&again));
    assert_eq!(again.bytes().unwrap(), first);

    // The key again for another release: refused, and nothing recorded.
    let b = new_release("b", Some(1), &["b"], "img@2");
    assert_eq!(error_kind(send("k-a", &b)), (400, "usage".into()));

    // One key sent eight times at once: one release, every answer its.
    let answers: Vec<Value> = std::thread::scope(|scope| {
        let sends: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    let response = send("k-b", &b);
                    assert_eq!(response.status(), 200);
                    response.json::<Value>().unwrap()
                })
            })
            .collect();
        sends.into_iter().map(|s| s.join().unwrap()).collect()
    });
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert_eq!(answers[0]["release"]["number"], "v2");
    assert_eq!(answers[0]["release"]["base"], "v1");

    // A new key for a commit released already: that release, not a new one.
    let repeat = send("k-a2", &a);
    assert_eq!(repeat.status(), 200);
    let repeat: Value = repeat.json().unwrap();
    assert_eq!(repeat["release"]["number"], "v1");
    assert_eq!(repeat["created"], false);

    // A refusal is answered the same when retried.
    let orphan = new_release("c", Some(9), &["c"], "img@3");
    let refused = send("k-c", &orphan);
    assert!(!replayed(&refused));
    assert_eq!(error_kind(refused), (404, "not found".into()));
    let refused = send("k-c", &orphan);
    assert!(replayed(&refused));
    assert_eq!(error_kind(refused), (404, "not found".into()));

    let store = server.store("app");
    use captain::store::Store;
    let audit = store.audit_events(&Default::default()).unwrap();
    let creates: Vec<&str> = audit
        .iter()
        .filter(|e| e.action == "release.create")
        .map(|e| e.target.as_str())
        .collect();
    assert_eq!(creates, ["v2", "v1"]);
    let numbers: Vec<u64> = store
        .releases(&Default::default())
        .unwrap()
        .iter()
        .map(|r| r.number.0)
        .collect();
    assert_eq!(numbers, [2, 1]);
    let introduced = store
        .release_commits(captain::model::ReleaseNumber(2))
        .unwrap();
    assert_eq!(introduced.len(), 1);
    assert_eq!(introduced[0].sha, sha("b"));
}

/// A replica decides a CI's start after a finish its own pass recorded from what that
/// pass left (no read of the environment), but what another replica did meanwhile still
/// counts: replica B deploys the newer v2 to beta behind replica A's back, then A refuses
/// to start the older v1 there and starts v3 from the environment as it really is (the
/// recording function saw it changed, and A read again).
#[test]
fn a_replica_decides_a_start_after_its_own_finish_with_what_others_did_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let database = super::pg_harness::fresh_database();
    let a = Server::start_on(&dir.path().join("a"), &database, &[], None);
    a.register("name = \"app\"\n[[stages]]\nname = \"all\"\nenvironments = [\"beta\"]\n");
    let b = Server::spawn(&dir.path().join("b"), &database, &[], None, a.admin.clone());
    let ci = a.token("ci", Role::Deploy, true);
    let client = Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let send = |server: &Server, path: &str, body: &Value| {
        client
            .post(format!("{}/v1/pipelines/app{path}", server.url))
            .bearer_auth(&ci)
            .header("idempotency-key", format!("k-{}", fresh_key()))
            .json(body)
            .send()
            .unwrap()
    };
    let deploy = |server: &Server, release: &str, now: i64| -> Value {
        let start = json!({"environment":"beta","release":release,"rollback":false,"actor":"ci",
            "reason":null,"now":at(now),"force":false});
        let started = send(server, "/deployments", &start);
        let status = started.status();
        let started: Value = started.json().unwrap();
        assert_eq!(status, 200, "{started}");
        let id = started["id"].as_str().unwrap().to_string();
        let finish =
            json!({"id":id,"outcome":"approved","actor":"ci","now":at(now + 5),"reason":null});
        let finished = send(server, &format!("/deployments/{id}/finish"), &finish);
        assert_eq!(finished.status(), 200);
        finished.json().unwrap()
    };
    let create = |name: &str, base: Option<u64>| {
        let release = serde_json::to_value(new_release(name, base, &[name], "img")).unwrap();
        assert_eq!(send(&a, "/releases", &release).status(), 200);
    };
    create("a", None);
    assert_eq!(deploy(&a, "v1", 10)["outcome"], "approved");
    create("b", Some(1));
    assert_eq!(deploy(&b, "v2", 20)["outcome"], "approved");
    create("c", Some(2));

    let older = json!({"environment":"beta","release":"v1","rollback":false,"actor":"ci",
        "reason":null,"now":at(30),"force":false});
    let (status, _) = error_kind(send(&a, "/deployments", &older));
    assert!((400..500).contains(&status), "{status}");
    assert_eq!(deploy(&a, "v3", 40)["outcome"], "approved");

    use captain::store::Store;
    let history = a.store("app").history("beta", &Default::default()).unwrap();
    let releases: Vec<u64> = history.iter().map(|h| h.deployment.release.0).collect();
    assert_eq!(releases, [3, 2, 1]);
}

/// A fresh idempotency key.
fn fresh_key() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The live server serves the document this build generates, and every documented
/// route exists there: without a token each route with a role is refused (401), the
/// public ones answer 200, and with an admin token no documented path and method is
/// unknown (404 "no API route") or not allowed (405).
#[test]
fn openapi_documents_every_route_the_server_answers() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    server.register(super::server_story::STORY_PIPELINE);
    let client = Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let served = client
        .get(format!("{}/openapi.json", server.url))
        .send()
        .unwrap();
    assert_eq!(served.status().as_u16(), 200);
    let served = served.bytes().unwrap();
    let contract = captain::server::openapi::document();
    assert_eq!(&served[..], &contract.json()[..]);
    let doc: Value = serde_json::from_slice(&served).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(doc["components"]["schemas"]["ErrorBody"]["properties"]["error"].is_object());
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, methods) in paths {
        for (method, operation) in methods.as_object().unwrap() {
            operations += 1;
            let url = format!(
                "{}{}",
                server.url,
                path.replace("{pipeline}", "app")
                    .replace("{number}", "v1")
                    .replace("{id}", "deploy-abcdef")
                    .replace("{sha}", "abcdef")
                    .replace("{rev}", "abcdef")
                    .replace("{environment}", "beta")
                    .replace("{stage}", "beta")
                    .replace("{version}", "1")
                    .replace("{name}", "nobody")
            );
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = client.request(method.clone(), &url).send().unwrap();
            let status = response.status().as_u16();
            let text = response.text().unwrap();
            assert!(!text.contains("no API route"), "{method} {path}: {text}");
            if operation["x-captain-role"].is_string() {
                assert_eq!(status, 401, "{method} {path}: {text}");
            } else {
                assert_eq!(status, 200, "{method} {path}: {text}");
            }
            let response = client
                .request(method.clone(), &url)
                .bearer_auth(&server.admin)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .unwrap();
            let status = response.status().as_u16();
            let text = response.text().unwrap();
            assert!(
                status != 404 || !text.contains("no API route"),
                "{method} {path}: {text}"
            );
            assert_ne!(status, 405, "{method} {path}: {text}");
            assert!(status < 500, "{method} {path}: {status} {text}");
        }
    }
    assert_eq!(operations, contract.operations().len());
}

/// Who may call a route is decided before what it was sent: no token is 401 and a role
/// too low is 403 even when the path, the query and the body are all wrong.
#[test]
fn auth_is_decided_before_the_path_query_and_body_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let read = server.token("reader", Role::Read, false);
    let client = Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let bad = format!(
        "{}/v1/pipelines/not%20a%20name!/deployments/not-an-id/finish?x=%ff",
        server.url
    );
    let anonymous = client.post(&bad).body("{not json").send().unwrap();
    assert_eq!(error_kind(anonymous), (401, "unauthorized".into()));
    let reader = client
        .post(&bad)
        .bearer_auth(&read)
        .body("{not json")
        .send()
        .unwrap();
    assert_eq!(error_kind(reader), (403, "forbidden".into()));
    let revoke = client
        .delete(format!("{}/v1/tokens/not a name?reason=%ff", server.url))
        .bearer_auth(&read)
        .send()
        .unwrap();
    assert_eq!(error_kind(revoke), (403, "forbidden".into()));
    // With the role, the same request is refused for its input.
    let admin = client
        .post(&bad)
        .bearer_auth(&server.admin)
        .body("{not json")
        .send()
        .unwrap();
    assert_eq!(error_kind(admin), (400, "usage".into()));
}

/// What schemathesis found on PostgreSQL: an imported audit event whose details hold
/// f64::MAX came back from jsonb spelt as 309 digits, which did not parse, and every later
/// export and audit read of the pipeline failed (as a lost connection, 503). The details
/// must read back as they were written; text PostgreSQL cannot store is refused up front.
#[test]
fn imported_audit_details_read_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    audit_details_round_trip(&Server::start(dir.path()));
}

#[test]
fn imported_audit_details_read_back_exactly_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let database = super::pg_harness::fresh_database();
    audit_details_round_trip(&Server::start_on(dir.path(), &database, &[], None));
}

fn audit_details_round_trip(server: &Server) {
    server.register(KEYS_PIPELINE);
    let client = Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let base = format!("{}/v1/pipelines/app", server.url);
    let import = |event: &Value| {
        let line = json!({"type": "audit", "event": event});
        client
            .post(format!("{base}/import?merge=true"))
            .bearer_auth(&server.admin)
            .header("content-type", "application/x-ndjson")
            .body(format!("{line}\n"))
            .send()
            .unwrap()
    };
    let get = |path: &str| {
        let response = client
            .get(format!("{base}{path}"))
            .bearer_auth(&server.admin)
            .send()
            .unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().unwrap()
    };
    let details = json!({
        "max": f64::MAX, "min": f64::MIN, "tiny": 5e-324, "big": 2.579565423034085e288,
        "integer": u64::MAX, "negative": i64::MIN, "nested": [{"x": 1.7976931348623157e308}],
    });
    let event = json!({"seq": 1, "at": "2026-01-01T00:00:00Z", "actor": "ci",
        "action": "note", "target": "beta", "reason": null, "details": details});
    let answer = import(&event);
    assert!(answer.status().is_success(), "{}", answer.text().unwrap());

    let audit: Value = serde_json::from_str(&get("/audit")).unwrap();
    let found = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "note")
        .unwrap_or_else(|| panic!("the imported event is in the audit: {audit}"));
    assert_eq!(found["details"], details);
    let export = get("/export");
    let exported: Vec<Value> = export
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .filter(|record: &Value| record["type"] == "audit" && record["event"]["action"] == "note")
        .collect();
    assert_eq!(exported.len(), 1, "{export}");
    assert_eq!(exported[0]["event"]["details"], details);

    // A NUL character is stored or refused as the request's fault, never half-written.
    let nul = json!({"seq": 2, "at": "2026-01-01T00:00:01Z", "actor": "ci",
        "action": "other", "target": "beta", "reason": null, "details": {"a\u{0}b": "c\u{0}"}});
    // (SQLite stores it; PostgreSQL's text cannot hold it.)
    let answer = import(&nul);
    if !answer.status().is_success() {
        assert_eq!(error_kind(answer), (400, "usage".into()));
    }
    get("/audit");
    get("/export");
}
