//! The web pages in a real headless Chromium ([`super::web_driver`]), checked for what a
//! person sees: `captain ui` on a pipeline with a rollback (the rolled-back environment
//! and its lock), a `deploy finish` in another process showing up without a reload, the
//! commit search, an environment's history against `captain history`, the audit log, a
//! narrow screen; and `captain serve`'s sign-in (required, a bad token refused, a revoked
//! token's session ended, sign-out) and its JSON view routes against the CLI's JSON.
//! Each page's screenshot goes to the test's output folder ([`super::web_driver::shots`]).

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::common::{Backend, SMALL_PIPELINE, TestEnv, hours_ago, on_backend};
use super::web_driver::{Browser, shots};

/// A `captain ui` child on a free loopback port, killed when dropped.
struct Ui {
    child: Child,
    url: String,
}

impl Ui {
    fn start(env: &TestEnv) -> Ui {
        let mut child = env
            .command()
            .args(["ui", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("captain ui: ")
            .unwrap_or_else(|| panic!("captain ui did not start: {line:?}"))
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Ui { child, url }
    }

    /// The server part of the URL.
    fn origin(&self) -> String {
        let rest = self.url.strip_prefix("http://").unwrap();
        format!("http://{}", rest.split('/').next().unwrap())
    }
}

impl Drop for Ui {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Commits, releases; the release and its commit.
fn release(
    env: &TestEnv,
    sandbox: &captain::git::sandbox::Sandbox,
    hour: i64,
    subject: &str,
) -> (String, String) {
    let at = hours_ago(hour);
    let sha = sandbox
        .commit(
            &[(&format!("src/{hour}.txt"), subject)],
            subject,
            "Ana Lima",
            at,
        )
        .unwrap();
    let created = env.run_at(at, &["release", "create", "--json"]).ok().json();
    (created["release"].as_str().unwrap().to_string(), sha)
}

fn start(env: &TestEnv, environment: &str, release: &str) -> String {
    env.run(&["deploy", "start", environment, "--release", release, "-q"])
        .ok()
        .stdout
        .trim()
        .to_string()
}

fn deploy(env: &TestEnv, environment: &str, release: &str) {
    let id = start(env, environment, release);
    env.run(&["deploy", "finish", &id, "--outcome", "approved"])
        .ok();
}

/// The pipeline of every test: v1 everywhere, v2 through prod-1 and rolled back there
/// (promotions locked), v3 deploying to beta. The commit of v2 and v3's deployment.
fn story(env: &TestEnv) -> (String, String) {
    let sandbox = env.init_repo(SMALL_PIPELINE);
    let (v1, _) = release(env, &sandbox, 30, "Add the cart");
    for e in ["beta", "gamma", "prod-1", "prod-2", "prod-3"] {
        deploy(env, e, &v1);
    }
    let (v2, fix) = release(env, &sandbox, 20, "Fix the cart total");
    for e in ["beta", "gamma", "prod-1"] {
        deploy(env, e, &v2);
    }
    let out = env
        .run(&[
            "rollback",
            "prod-1",
            "--yes",
            "--json",
            "--reason",
            "cart totals wrong in prod-1",
        ])
        .ok()
        .json();
    for started in out["result"]["deployments"].as_array().unwrap() {
        let id = started["deployment"].as_str().unwrap();
        env.run(&["deploy", "finish", id, "--outcome", "approved"])
            .ok();
    }
    let (v3, _) = release(env, &sandbox, 10, "Count items in the cart");
    let deploying = start(env, "beta", &v3);
    (fix, deploying)
}

/// The text of each element matching `css`, read at one moment (a live update may
/// replace the elements between two WebDriver calls).
fn texts(browser: &Browser, css: &str) -> Vec<String> {
    let script = format!(
        "return Array.from(document.querySelectorAll({})).map(e => e.innerText.trim())",
        serde_json::to_string(css).unwrap()
    );
    browser
        .script(&script)
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// The row of an environment on the pipeline page: its cells' text.
fn row(browser: &Browser, environment: &str) -> Vec<String> {
    let cells = texts(browser, &format!("tr[data-env=\"{environment}\"] > *"));
    assert!(
        !cells.is_empty(),
        "no row for {environment}:\n{}",
        browser.text()
    );
    cells
}

#[test]
fn the_pages_show_a_rollback_live_updates_the_commit_search_and_history() {
    let env = TestEnv::local();
    let (fix, deploying) = story(&env);
    let ui = Ui::start(&env);
    let browser = Browser::start(1280, 900);
    let out = shots();

    // The index lists the pipeline.
    browser.goto(&format!("{}/", ui.origin()));
    browser.wait_for_heading("Pipelines");
    browser.find("a[href=\"/pipelines/checkout\"]").click();
    browser.wait_for_heading("Pipeline checkout");

    // The rolled-back environment says so, in words, with its lock: who, when, why.
    let prod1 = row(&browser, "prod-1");
    assert_eq!(prod1[1], "v1", "{prod1:?}");
    assert_eq!(prod1[2], "rolled back", "{prod1:?}");
    assert!(prod1[4].contains("disabled by tester"), "{prod1:?}");
    assert!(
        prod1[4].contains("cart totals wrong in prod-1"),
        "{prod1:?}"
    );
    assert_eq!(row(&browser, "beta")[2], "deploying v3");
    assert_eq!(row(&browser, "prod-2")[1], "v1");
    browser.screenshot_full(&out.join("pipeline.png"), 1280);
    // Keyboard: a skip link first, and only native controls (no click handlers on divs).
    assert_eq!(
        browser.script("return document.querySelector('a, button, input, select').className"),
        "skip"
    );
    assert_eq!(
        browser.script("return document.querySelectorAll('[onclick]').length"),
        0
    );

    // A deployment finished by another process shows up without a reload.
    browser.script("window.captainMarker = 42; return null");
    env.run(&["deploy", "finish", &deploying, "--outcome", "approved"])
        .ok();
    let took = browser.wait_for(Duration::from_secs(2), "beta to show v3 approved", |b| {
        let beta = row(b, "beta");
        beta[1] == "v3" && beta[2] == "approved"
    });
    assert_eq!(
        browser.script("return window.captainMarker"),
        42,
        "the page was not reloaded (updated in {took:?})"
    );

    // The environment's history is `captain history`'s, row for row.
    browser
        .find("a[href=\"/pipelines/checkout/environments/prod-1\"]")
        .click();
    browser.wait_for_heading("Deployment history for prod-1");
    let cli = env.run(&["history", "prod-1", "--json"]).ok().json();
    let rows = texts(&browser, "#history tbody tr");
    let expected = cli["deployments"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len());
    for (text, want) in rows.iter().zip(expected) {
        let cells: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(cells[0], want["id"].as_str().unwrap(), "{text}");
        assert_eq!(cells[1], want["release"].as_str().unwrap(), "{text}");
        assert!(text.contains(want["outcome"].as_str().unwrap()), "{text}");
        let changes = format!(
            "+{} \u{2212}{}",
            want["added"]["count"], want["removed"]["count"]
        );
        assert!(text.contains(&changes), "{text} lacks {changes}");
    }
    browser.screenshot_full(&out.join("history.png"), 1280);

    // A name that is not there is told as such, with what to do.
    browser.goto(&format!(
        "{}/pipelines/checkout/environments/prod-9",
        ui.origin()
    ));
    browser.wait_for_heading("That did not work");
    assert!(browser.text().contains("prod-9"), "{}", browser.text());

    // The release page: its commits, artifacts, and where it runs now.
    browser.goto(&format!("{}/pipelines/checkout/releases/v2", ui.origin()));
    browser.wait_for_heading("Release v2");
    assert!(browser.text().contains("Fix the cart total"));
    let timeline = texts(&browser, "ol.timeline").concat();
    assert!(timeline.contains("prod-1: not here"), "{timeline}");
    browser.screenshot_full(&out.join("release.png"), 1280);

    // The commit search: a prefix, then where it is and is not.
    browser
        .find("a[href=\"/pipelines/checkout/commits\"]")
        .click();
    browser.find("#rev").type_text(&fix[..8]);
    browser.find("form.search button").click();
    browser.wait_for(Duration::from_secs(5), "the search's answer", |b| {
        b.try_find("ul.deployed").is_some()
    });
    let found = texts(&browser, "#found").concat();
    assert!(found.contains("First released in v2"), "{found}");
    let cli = env.run(&["where", &fix, "--json"]).ok().json();
    let names = |css: &str| texts(&browser, css);
    let listed = |key: &str| -> Vec<String> {
        cli[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("ul.deployed li"), listed("deployed_to"));
    assert_eq!(names("ul.not-deployed li"), listed("not_deployed_to"));
    assert_eq!(names("ul.deployed li"), ["beta", "gamma"]);
    browser.screenshot_full(&out.join("commit.png"), 1280);

    // The audit log, filtered to one environment.
    browser.goto(&format!(
        "{}/pipelines/checkout/audit?environment=prod-1",
        ui.origin()
    ));
    let events = texts(&browser, "#events").concat();
    assert!(events.contains("rollback"), "{events}");
    assert!(!events.contains("beta"), "{events}");
    browser.screenshot_full(&out.join("audit.png"), 1280);

    // A narrow screen: no sideways scrolling, the state still in words.
    drop(browser);
    let narrow = Browser::start(390, 844);
    narrow.goto(&ui.url);
    assert!(row(&narrow, "prod-1")[2].ends_with("rolled back"));
    let wide = narrow.script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    assert!(wide.as_i64().unwrap() <= 0, "scrolls sideways by {wide}px");
    narrow.screenshot_full(&out.join("pipeline-narrow.png"), 390);
}

#[test]
fn a_server_needs_a_sign_in_refuses_a_bad_token_and_serves_the_views_as_json() {
    on_backend(Backend::Http, || {
        let env = TestEnv::new();
        let (fix, _) = story(&env);
        let server = env.server.as_ref().unwrap();
        let viewer = server.token("viewer", captain::server::auth::Role::Read, false);
        let browser = Browser::start(1280, 900);
        let out = shots();

        // Every page needs a sign-in.
        browser.goto(&format!("{}/pipelines/checkout", server.url));
        assert!(
            browser.current_url().contains("/login?next="),
            "{}",
            browser.current_url()
        );
        browser.wait_for_heading("Sign in");
        browser.screenshot(&out.join("sign-in.png"));

        // A bad token is refused.
        browser.find("#token").type_text("cpt_not_a_token");
        browser.find("form.signin button").click();
        browser.wait_for(Duration::from_secs(10), "the refusal", |b| {
            b.text().contains("That token is unknown or revoked")
        });
        assert!(browser.current_url().contains("/login"));
        let refused = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(format!("{}/login", server.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("token=cpt_not_a_token&next=%2F")
            .send()
            .unwrap();
        assert_eq!(refused.status().as_u16(), 401);
        assert!(refused.headers().get("set-cookie").is_none());

        // A read token signs in, back to the page asked for; the cookie is not readable
        // by scripts (HttpOnly).
        browser.find("#token").type_text(&viewer);
        browser.find("form.signin button").click();
        browser.wait_for_heading("Pipeline checkout");
        assert!(browser.text().contains("Signed in as viewer"));
        assert_eq!(browser.script("return document.cookie"), "");
        assert_eq!(row(&browser, "prod-1")[2], "rolled back");
        // The index lists every pipeline the server holds.
        env.register(&SMALL_PIPELINE.replace("name = \"checkout\"", "name = \"payments\""));
        browser.goto(&format!("{}/", server.url));
        browser.wait_for_heading("Pipelines");
        assert_eq!(
            texts(&browser, "#pipelines tbody tr td:first-child"),
            ["checkout", "payments"]
        );
        browser.screenshot(&out.join("index.png"));

        // The views as JSON, for a script: the CLI's JSON, computed by the server.
        views_are_the_clis(&env, &server.url, &viewer, &fix);

        // A revoked token's session stops working.
        server
            .store("checkout")
            .revoke_token("viewer", Some("the test"))
            .unwrap();
        // The open page finds out by itself (its next update) and goes to the sign-in.
        browser.wait_for(Duration::from_secs(5), "the sign-in page", |b| {
            b.current_url().contains("/login")
        });
        assert!(
            browser.text().contains("Your session ended"),
            "{}",
            browser.text()
        );

        // Sign-out ends a session.
        let second = server.token("second", captain::server::auth::Role::Read, false);
        browser.find("#token").type_text(&second);
        browser.find("form.signin button").click();
        // Back to the page that found the session gone: the index.
        browser.wait_for_heading("Pipelines");
        browser.find("form.signout button").click();
        browser.wait_for_heading("Sign in");
        browser.goto(&format!("{}/pipelines/checkout", server.url));
        browser.wait_for_heading("Sign in");
    });
}

/// The server's JSON views are what the CLI prints with `--output json` (the status but
/// for when it was made).
fn views_are_the_clis(env: &TestEnv, url: &str, token: &str, commit: &str) {
    let client = reqwest::blocking::Client::new();
    let get = |path: &str| -> Value {
        let response = client
            .get(format!("{url}/v1/pipelines/checkout/views/{path}"))
            .bearer_auth(token)
            .send()
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        response.json().unwrap()
    };
    let status_url = format!("{url}/v1/pipelines/checkout/views/status");
    assert_eq!(
        client.get(&status_url).send().unwrap().status().as_u16(),
        401
    );
    let mut served = get("status");
    let mut cli = env.run(&["status", "--json"]).ok().json();
    served.as_object_mut().unwrap().remove("generated_at");
    cli.as_object_mut().unwrap().remove("generated_at");
    assert_eq!(served, cli);
    assert_eq!(
        get("history/prod-1"),
        env.run(&["history", "prod-1", "--json"]).ok().json()
    );
    // The server holds no checkout: its change set says the files need one, where the CLI
    // (run in the checkout) lists them; everything else is the same view.
    let without_files = |mut view: Value| -> Value {
        if let Some(changes) = view["changes"].as_object_mut() {
            changes.remove("files");
        }
        view
    };
    let served_release = get("releases/v2");
    assert_eq!(served_release["changes"]["files"]["available"], false);
    assert_eq!(
        without_files(served_release),
        without_files(env.run(&["release", "show", "v2", "--json"]).ok().json())
    );
    // Without a checkout the server names no subject or author; the rest is the CLI's.
    let mut served = get(&format!("where/{commit}"));
    let mut cli = env.run(&["where", commit, "--json"]).ok().json();
    for key in ["subject", "author"] {
        served.as_object_mut().unwrap().remove(key);
        cli.as_object_mut().unwrap().remove(key);
    }
    assert_eq!(served, cli);
    let gates = get("gates");
    assert_eq!(gates.as_array().unwrap().len(), 4);
    assert_eq!(
        gates[3],
        env.run(&["gate", "prod-2", "--json"]).json(),
        "gate prod-2"
    );
}

/// The same pages over PostgreSQL: the pipeline page signed in, and the JSON views.
#[test]
fn a_postgres_server_serves_the_same_pages_and_views() {
    let mut env = TestEnv::local();
    let server = super::server_harness::Server::start_on(
        &env.path().join("server"),
        &super::pg_harness::fresh_database(),
        &[],
        None,
    );
    let url = server.url.clone();
    let viewer = server.token("viewer", captain::server::auth::Role::Read, false);
    env.server = Some(server);
    let (fix, _) = story(&env);
    views_are_the_clis(&env, &url, &viewer, &fix);
    let browser = Browser::start(1280, 900);
    browser.goto(&format!("{url}/pipelines/checkout"));
    browser.find("#token").type_text(&viewer);
    browser.find("form.signin button").click();
    browser.wait_for_heading("Pipeline checkout");
    let prod1 = row(&browser, "prod-1");
    assert_eq!(prod1[2], "rolled back", "{prod1:?}");
    assert!(
        prod1[4].contains("cart totals wrong in prod-1"),
        "{prod1:?}"
    );
}

/// The example pipeline's 160 environments on one page: every one a row, grouped by wave
/// and stage, no sideways scrolling, each stage's gate in words.
#[test]
fn the_example_pipelines_160_environments_stay_readable() {
    let env = TestEnv::local();
    let example = include_str!("../../pipeline.example.toml");
    let sandbox = env.init_repo(example);
    let (v1, _) = release(&env, &sandbox, 30, "Add the cart");
    deploy(&env, "alpha", &v1);
    let ui = Ui::start(&env);
    let browser = Browser::start(1280, 900);
    browser.goto(&ui.url);
    browser.wait_for_heading("Pipeline frontend-api");
    let ready = browser.script(
        "const n = performance.getEntriesByType('navigation')[0]; return n ? n.domContentLoadedEventEnd : null",
    );
    eprintln!("the 160-environment page was ready in {ready} ms (debug build)");
    assert_eq!(texts(&browser, "table.envs tbody tr").len(), 160);
    assert_eq!(texts(&browser, "section.wave > h2").len(), 6);
    let gates = texts(&browser, "dd.gate");
    assert_eq!(gates.len(), 33);
    assert!(gates[1].contains("alpha is baking v1"), "{gates:?}");
    assert!(row(&browser, "alpha")[2].starts_with("baking v1"));
    let wide = browser.script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    assert!(wide.as_i64().unwrap() <= 0, "scrolls sideways by {wide}px");
    browser.screenshot_full(&shots().join("pipeline-160.png"), 1280);
}

/// A closed window says on the page when it opens (in the pipeline's time zone), and the
/// page works from the keyboard: the first Tab reaches "Skip to content", Enter follows it.
#[test]
fn a_closed_window_says_when_it_opens_and_the_keyboard_gets_around() {
    let env = TestEnv::local();
    env.init_repo(
        r#"
name = "checkout"
timezone = "America/Los_Angeles"

[[stages]]
name = "beta"
environments = ["beta"]
window = { days = "mon-thu", hours = "09:00-16:00" }
"#,
    );
    env.run(&["release", "create", "-q"]).ok();
    let ui = Ui::start(&env);
    let browser = Browser::start(1280, 900);
    browser.goto(&ui.url);
    browser.wait_for_heading("Pipeline checkout");
    // Saturday 2026-11-21 12:00 UTC (CAPTAIN_NOW): it opens on Monday at 09:00 in Los Angeles.
    let gate = texts(&browser, "dd.gate").concat();
    assert!(
        gate.contains(
            "closed: v1 waits: the window of beta is closed until Mon 2026-11-23 09:00 PST"
        ),
        "{gate}"
    );
    assert!(
        texts(&browser, "section.stage dd")
            .concat()
            .contains("v1 waits to be promoted here")
    );

    browser.press("\u{E004}");
    assert_eq!(
        browser.script("return document.activeElement.textContent"),
        "Skip to content"
    );
    browser.press("\u{E007}");
    browser.wait_for(Duration::from_secs(5), "the skip link", |b| {
        b.current_url().ends_with("#main")
    });
    browser.press("\u{E004}");
    assert_eq!(
        browser.script("return document.activeElement.closest('main') !== null"),
        true,
        "the next Tab is inside the content"
    );
}
