//! Tests of the whole room: the example and the templates, inheritance, diagnostics with
//! positions, and robustness against malformed input.

use std::path::Path;
use std::time::Duration;

use super::*;
use crate::error::ErrorKind;

const EXAMPLE: &str = include_str!("../../pipeline.example.toml");

fn ok(text: &str) -> Pipeline {
    validate_text(text, Path::new("pipeline.toml")).unwrap_or_else(|diagnostics| {
        let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        panic!("expected a valid pipeline, got:\n{}", lines.join("\n"))
    })
}

fn errors(text: &str) -> Vec<String> {
    match validate_text(text, Path::new("pipeline.toml")) {
        Ok(_) => panic!("expected problems in:\n{text}"),
        Err(diagnostics) => diagnostics.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn the_example_expands_to_the_articles_pipeline() {
    let p = ok(EXAMPLE);
    assert!(EXAMPLE.lines().count() < 60);
    assert_eq!(p.name, "frontend-api");
    assert_eq!(p.timezone, "America/Los_Angeles");

    let regions: Vec<&String> = p.waves.iter().flat_map(|w| &w.regions).collect();
    assert_eq!(regions.len(), 26);
    let mut unique = regions.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 26, "regions are distinct");
    let sizes: Vec<usize> = p.waves.iter().map(|w| w.regions.len()).collect();
    assert_eq!(sizes, vec![1, 2, 5, 8, 10]);

    let production: Vec<&Environment> = p
        .stages
        .iter()
        .filter(|s| s.is_production())
        .flat_map(|s| &s.environments)
        .collect();
    assert_eq!(production.len(), 26 * 3 * 2);
    assert!(p.environment_names().len() >= 150);

    let pre: Vec<&str> = p
        .stages
        .iter()
        .take_while(|s| !s.is_production())
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(pre, ["alpha", "beta", "gamma"]);
    assert_eq!(
        p.waves[0].stages,
        [
            "wave-1-az1-onebox",
            "wave-1-az1",
            "wave-1-az2-onebox",
            "wave-1-az2",
            "wave-1-az3-onebox",
            "wave-1-az3"
        ]
    );
    assert_eq!(p.stages.len(), 3 + 5 * 6);
    assert_eq!(
        p.previous_stage("wave-1-az1-onebox")
            .map(|s| s.name.as_str()),
        Some("gamma")
    );
    assert_eq!(
        p.next_stage("wave-1-az3").map(|s| s.name.as_str()),
        Some("wave-2-az1-onebox")
    );

    // A stage holds that AZ's environment of every region of the wave.
    let stage = p
        .stage("wave-3-az2-onebox")
        .unwrap_or_else(|| panic!("no wave-3-az2-onebox"));
    let names: Vec<&str> = stage.environments.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "prod-us-west-2b-onebox",
            "prod-eu-central-1b-onebox",
            "prod-ap-northeast-1b-onebox",
            "prod-ca-central-1b-onebox",
            "prod-sa-east-1b-onebox"
        ]
    );
    let (stage, env) = p
        .environment("prod-us-east-1a")
        .unwrap_or_else(|| panic!("no prod-us-east-1a"));
    assert_eq!(stage.name, "wave-5-az1");
    assert_eq!(
        env.labels.get("region").map(String::as_str),
        Some("us-east-1")
    );
    assert_eq!(env.labels.get("az").map(String::as_str), Some("a"));
    assert_eq!(env.labels.get("az_index").map(String::as_str), Some("1"));
    assert_eq!(env.labels.get("wave").map(String::as_str), Some("wave-5"));
    assert!(p.environment("prod-us-east-1a-onebox").is_some());
}

#[test]
fn the_example_inherits_settings_as_documented() {
    let p = ok(EXAMPLE);
    let stage = |name: &str| p.stage(name).unwrap_or_else(|| panic!("no stage {name}"));

    // Pre-production: [defaults] only; no window, no auto-rollback, bake only where set.
    let alpha = &stage("alpha").settings;
    assert!(alpha.window.is_none() && alpha.blocker.is_none() && alpha.min_data_points.is_none());
    assert!(!alpha.auto_rollback);
    assert_eq!(alpha.bake_time, Duration::ZERO);
    assert_eq!(stage("gamma").settings.bake_time, Duration::from_secs(3600));
    let deploy = alpha
        .deploy
        .as_ref()
        .unwrap_or_else(|| panic!("deploy inherited"));
    assert_eq!(deploy.argv, ["./deploy.sh", "{environment}"]);
    assert_eq!(deploy.timeout, Duration::from_secs(30 * 60));
    assert_eq!(alpha.approvals.len(), 1);
    assert_eq!(
        alpha
            .rollback_alarm
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some(r#"ALARM("HighSeverity")"#)
    );

    // Production: [production] adds window, blocker, data points, auto-rollback.
    let zonal = &stage("wave-1-az1").settings;
    assert!(zonal.auto_rollback);
    assert_eq!(
        zonal.bake_time,
        Duration::from_secs(30 * 60),
        "[production]'s bake time for a zonal stage"
    );
    // Wave 1 bakes 12 hours as a whole after its last stage's own 30 minutes.
    assert_eq!(stage("wave-1-az1").wave_bake_time, Duration::ZERO);
    assert_eq!(
        stage("wave-1-az3").bake_time(),
        Duration::from_secs(12 * 3600 + 30 * 60)
    );
    assert_eq!(zonal.min_data_points.as_ref().map(|d| d.count), Some(100));
    assert_eq!(
        zonal.min_data_points.as_ref().map(|d| d.url.as_str()),
        Some("http://localhost:9090")
    );
    let window = zonal
        .window
        .as_ref()
        .unwrap_or_else(|| panic!("window inherited"));
    assert_eq!(
        window.timezone_name, "America/Los_Angeles",
        "wave 1 works in its region's hours"
    );
    let window_of = |name: &str| {
        stage(name)
            .settings
            .window
            .as_ref()
            .map(|w| w.timezone_name.clone())
    };
    assert_eq!(window_of("wave-2-az1").as_deref(), Some("Europe/Stockholm"));
    assert_eq!(
        p.stage("alpha")
            .and_then(|s| s.settings.window.as_ref())
            .map(|w| w.days),
        None
    );
    assert_eq!(window.exclude.len(), 3);
    assert_eq!(
        zonal.blocker.as_ref().map(|b| b.names()),
        Some(vec!["HighSeverity", "LargeScaleEvent"])
    );

    // The template's one-box stage beats the wave (1h, its own rollback alarm).
    let onebox = &stage("wave-1-az1-onebox").settings;
    assert_eq!(onebox.bake_time, Duration::from_secs(3600));
    assert_eq!(
        onebox.rollback_alarm.as_ref().map(|a| a.names()),
        Some(vec!["HighSeverity", "OneBoxFaults"])
    );
    assert_eq!(
        stage("wave-3-az1").settings.bake_time,
        Duration::from_secs(30 * 60),
        "wave-3 sets none"
    );
    assert_eq!(
        stage("wave-5-az3").bake_time(),
        Duration::from_secs(2 * 3600 + 30 * 60)
    );

    assert_eq!(p.alarms.len(), 3);
    assert!(matches!(
        p.alarms.get("LargeScaleEvent").map(|a| &a.kind),
        Some(AlarmKind::Alertmanager { url, alertname, .. }) if url == "http://localhost:9093" && alertname == "LargeScaleEvent"
    ));
}

#[test]
fn precedence_is_defaults_production_wave_stage_override() {
    let p = ok(r#"
name = "p"
[defaults]
bake_time = "1m"
auto_rollback = false
[production]
bake_time = "2m"
[wave_template]
stages = [{ name = "{wave}", environment = "{wave}-{region}", bake_time = "4m" },
          { name = "{wave}-b", environment = "{wave}-b-{region}" }]
[[stages]]
name = "pre"
environments = ["pre"]
[[waves]]
name = "w1"
regions = ["r1", "r2"]
bake_time = "3m"
auto_rollback = true
[[waves]]
name = "w2"
regions = ["r1"]
[overrides."w2-b"]
bake_time = "5m"
"#);
    let bake = |name: &str| p.stage(name).map(|s| s.settings.bake_time.as_secs() / 60);
    assert_eq!(bake("pre"), Some(1));
    assert_eq!(bake("w1"), Some(4));
    assert_eq!(bake("w1-b"), Some(3));
    assert_eq!(bake("w2"), Some(4));
    assert_eq!(bake("w2-b"), Some(5));
    // auto_rollback = false in [defaults] is "set", so it holds in production too, except
    // where wave w1 sets it back.
    assert_eq!(p.stage("w1").map(|s| s.settings.auto_rollback), Some(true));
    assert_eq!(p.stage("w2").map(|s| s.settings.auto_rollback), Some(false));
    assert_eq!(
        p.environment_names(),
        [
            "pre", "w1-r1", "w1-r2", "w1-b-r1", "w1-b-r2", "w2-r1", "w2-b-r1"
        ]
    );
    assert_eq!(p.trunk, "main");
    assert_eq!(p.timezone, "UTC");
}

#[test]
fn explicit_none_stops_inheritance() {
    let p = ok(r#"
name = "p"
[alarms.A]
kind = "command"
argv = ["true"]
[defaults]
window = { days = "mon-fri" }
rollback_alarm = 'ALARM("A")'
[[stages]]
name = "s"
environments = ["e"]
window = "always"
rollback_alarm = ""
"#);
    let s = &p.stages[0].settings;
    assert!(s.window.is_none());
    assert!(s.rollback_alarm.is_none());
}

#[test]
fn every_template_validates() {
    assert!(templates().len() >= 2);
    for t in templates() {
        let p = validate_text(t.text, Path::new("pipeline.toml"))
            .unwrap_or_else(|d| panic!("template {} is invalid: {:?}", t.name, d));
        assert!(!p.stages.is_empty());
    }
    let minimal = template("minimal")
        .map(|t| ok(t.text))
        .unwrap_or_else(|| panic!("no minimal template"));
    assert_eq!(minimal.stages.len(), 2);
    assert!(!minimal.stages[0].is_production());
    assert!(minimal.stages[1].is_production());
    assert!(minimal.stages[1].settings.auto_rollback);
    let waves = template("waves")
        .map(|t| ok(t.text))
        .unwrap_or_else(|| panic!("no waves template"));
    assert_eq!(waves.waves.len(), 5);
}

#[test]
fn a_typo_is_reported_at_its_line_and_column_with_a_suggestion() {
    let text = "name = \"p\"\n\n[[stages]]\nname = \"beta\"\nenvironments = [\"beta\"]\n        bake_tme = \"1h\"\n";
    assert_eq!(
        errors(text),
        ["pipeline.toml:6:9: unknown key `bake_tme` in stage `beta`; did you mean `bake_time`?"]
    );
}

#[test]
fn every_problem_is_reported_at_once_in_file_order() {
    let text = r#"name = "p"
timezone = "Europe/Pariss"
[alarms.HighSeverity]
kind = "prometheus"
url = "http://prom:9090"
query = "up == 0"
[defaults]
bake_time = "an hour"
rollback_alarm = 'ALARM("HighSeverity") OR ALARM("HighSeverty")'
[[stages]]
name = "alpha"
environments = []
[[stages]]
name = "beta"
environments = ["beta", "beta"]
window = { days = "mon-fry", hours = "16:00-09:00" }
deploy = { argv = "./deploy.sh beta" }
[overrides.bta]
bake_time = "1h"
"#;
    let found = errors(text);
    let expected = [
        "pipeline.toml:2:12: unknown time zone `Europe/Pariss`; did you mean `Europe/Paris`?",
        "pipeline.toml:8:13: invalid duration `an hour` for `bake_time`: expected number at 0; write durations like `30m`, `1h 30m` or `2days`",
        "pipeline.toml:9:51: unknown alarm `HighSeverty` in `rollback_alarm`; did you mean `HighSeverity`?",
        "pipeline.toml:12:16: stage `alpha` has no environments",
        "pipeline.toml:15:25: duplicate environment `beta` (also in stage `beta`); an environment belongs to exactly one stage; first defined at line 15, column 17",
        "pipeline.toml:16:19: unknown day `fry`; did you mean `fri`?",
        "pipeline.toml:16:38: invalid hours `16:00-09:00`: the end must be after the start (windows do not cross midnight)",
        "pipeline.toml:17:19: `argv` must be an array of arguments, not a shell string; write it as [\"./deploy.sh\", \"beta\"]",
        "pipeline.toml:18:12: unknown stage `bta` in [overrides]; did you mean `beta`?",
    ];
    assert_eq!(found, expected);
}

#[test]
fn toml_syntax_errors_have_positions() {
    let found = errors("name = \"p\"\n[[stages]\nname = 1\n");
    assert_eq!(
        found[0],
        "pipeline.toml:2:10: TOML syntax error: unclosed array table, expected `]`"
    );
    let found = errors("name = \"p\"\ntrunk = main\n");
    assert!(
        found[0].starts_with("pipeline.toml:2:9: TOML syntax error"),
        "{found:?}"
    );
}

#[test]
fn a_pipeline_name_that_is_not_one_url_segment_is_refused_at_its_place() {
    for bad in ["x/../app", "..", "a b", "tab\\there"] {
        let text = format!("name = \"{bad}\"\n[[stages]]\nname = \"s\"\nenvironments = [\"e\"]\n");
        let found = errors(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("pipeline.toml:1:8: `name`: `")
                && found[0].contains("is not a pipeline name"),
            "{found:?}"
        );
        assert!(found[0].contains("letters, digits"), "{found:?}");
    }
}

#[test]
fn wrong_types_and_missing_keys_are_named() {
    let found = errors("name = 3\ntrunk = \"\"\n[[waves]]\nname = \"w\"\nregions = [\"r\"]\n");
    assert_eq!(
        found,
        [
            "pipeline.toml:1:8: `name` must be a string, found an integer",
            "pipeline.toml:2:9: `trunk` must not be empty",
            "pipeline.toml:4:8: wave `w` lists regions but the file has no [wave_template] to expand them; add [wave_template] with `azs` and `stages`, or list the wave's `stages`",
        ]
    );
    let found = errors("name = \"p\"\n[[waves]]\nname = \"w\"\nregions = [\"r\"]\n");
    assert_eq!(
        found,
        [
            "pipeline.toml:3:8: wave `w` lists regions but the file has no [wave_template] to expand them; add [wave_template] with `azs` and `stages`, or list the wave's `stages`"
        ]
    );
    let found = errors("name = \"p\"\n[[stages]]\nenvironments = [\"e\"]\n");
    assert!(
        found[0].contains("missing `name` in [[stages]]"),
        "{found:?}"
    );
}

#[test]
fn template_placeholders_are_checked() {
    let found = errors(
        r#"name = "p"
[wave_template]
stages = [{ name = "{wave}-{az}", environment = "prod-{regoin}" }]
[[waves]]
name = "w"
regions = ["r"]
"#,
    );
    assert!(
        found
            .iter()
            .any(|e| e.starts_with("pipeline.toml:3:20:") && e.contains("`{az}`")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .all(|e| !e.contains("regoin") || e.starts_with("pipeline.toml:3:")),
        "{found:?}"
    );

    // A stage name without {az}/{n} repeats for every AZ.
    let found = errors(
        r#"name = "p"
[wave_template]
azs = ["a", "b"]
stages = [{ name = "{wave}", environment = "prod-{region}{az}" }]
[[waves]]
name = "w"
regions = ["r"]
"#,
    );
    assert_eq!(
        found,
        [
            "pipeline.toml:4:20: duplicate stage name `w`; this template makes the same name more than once; include {az} or {n}"
        ]
    );
}

#[test]
fn alarm_sources_and_approvals_are_checked() {
    let found = errors(
        r#"name = "p"
[alarms.A]
kind = "prometheus"
query = "up"
[alarms.B]
kind = "alertmanagr"
[[stages]]
name = "s"
environments = ["e"]
approvals = [
  { kind = "http", url = "ftp://x", status = 700 },
  { kind = "external" },
  { kind = "alarm", alarm = 'ALARM("A") ||' },
]
"#,
    );
    assert_eq!(
        found,
        [
            "pipeline.toml:2:1: missing `url` in [alarms.A]; set `url` here or a top-level `prometheus = \"http://…\"`",
            "pipeline.toml:6:8: unknown kind `alertmanagr`; did you mean `alertmanager`?",
            "pipeline.toml:11:26: `url` must be an http:// or https:// URL, found `ftp://x`",
            "pipeline.toml:11:46: `status` must be a whole number from 0 to 599",
            "pipeline.toml:12:3: missing `name` in an approval step in stage `s`; an external approval is approved by name with `captain approve`",
            "pipeline.toml:13:41: `alarm`: unexpected `|` in alarm expression; write OR",
        ]
    );
}

#[test]
fn load_reports_missing_and_invalid_files() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let missing = dir.path().join("pipeline.toml");
    let err = Pipeline::load(&missing)
        .err()
        .unwrap_or_else(|| panic!("loaded a missing file"));
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(err.message.contains(&missing.display().to_string()));
    assert!(
        err.hint
            .as_deref()
            .is_some_and(|h| h.contains("captain init") && h.contains("--pipeline"))
    );

    std::fs::write(
        &missing,
        "name = \"p\"\nbake = 1\n[[stages]]\nname = \"s\"\nenvironments = []\n",
    )
    .unwrap_or_else(|e| panic!("write: {e}"));
    let err = Pipeline::load(&missing)
        .err()
        .unwrap_or_else(|| panic!("loaded an invalid file"));
    assert_eq!(err.kind, ErrorKind::Failed);
    assert!(err.message.contains("(2 problems)"), "{}", err.message);
    assert!(
        err.message
            .contains(":2:1: unknown key `bake` at the top level"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains(":5:16: stage `s` has no environments"),
        "{}",
        err.message
    );

    std::fs::write(&missing, EXAMPLE).unwrap_or_else(|e| panic!("write: {e}"));
    let p = Pipeline::load(&missing).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.source, missing);
}

#[test]
fn plan_view_has_the_spec_shape() {
    let p = ok(EXAMPLE);
    let json = serde_json::to_value(p.plan()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["pipeline"], "frontend-api");
    assert_eq!(json["stages"][0]["name"], "alpha");
    assert!(json["stages"][0]["wave"].is_null());
    assert_eq!(
        json["stages"][0]["environments"][0],
        serde_json::json!({ "name": "alpha" })
    );
    let s = &json["stages"][3];
    assert_eq!(s["name"], "wave-1-az1-onebox");
    assert_eq!(s["wave"], "wave-1");
    assert_eq!(s["environments"][0]["name"], "prod-us-west-1a-onebox");
    assert_eq!(s["bake_time"], "1h");
    assert_eq!(s["auto_rollback"], true);
    assert_eq!(
        s["window"],
        "mon-thu 07:00-19:00 America/Los_Angeles, except 3 dates"
    );
    assert_eq!(
        s["rollback_alarm"],
        r#"ALARM("HighSeverity") OR ALARM("OneBoxFaults")"#
    );
    assert_eq!(s["min_data_points"]["count"], 100);
    assert_eq!(s["approvals"][0], "command: ./integration-tests.sh");
}

#[test]
fn environment_render_fills_in_labels() {
    let p = ok(EXAMPLE);
    let (_, env) = p
        .environment("prod-eu-west-1c")
        .unwrap_or_else(|| panic!("no env"));
    assert_eq!(
        env.render("https://{environment}.{region}.example.com/{az}{x}"),
        "https://prod-eu-west-1c.eu-west-1.example.com/c{x}"
    );
}

#[test]
fn malformed_input_never_panics() {
    let snippets = [
        "",
        "=",
        "[",
        "[[",
        "name",
        "name = ",
        "name = \"\"",
        "name = []",
        "name = {}",
        "\u{0}",
        "name = \"p\"\nstages = 1",
        "name = \"p\"\nstages = [1, \"x\", []]",
        "name = \"p\"\nwaves = [{}]",
        "name = \"p\"\nwaves = 3",
        "name = \"p\"\nwave_template = []",
        "name = \"p\"\n[wave_template]\nstages = [1]",
        "name = \"p\"\n[wave_template]\nazs = [1]\nstages = [{name = \"{\", environment = \"}\"}]\n[[waves]]\nname = \"w\"\nregions = [\"r\"]",
        "name = \"p\"\n[wave_template]\nstages = [{name = \"{}\", environment = \"{}{}\"}]\n[[waves]]\nname = \"w\"\nregions = [\"r\"]\nazs = []",
        "name = \"p\"\nalarms = 1",
        "name = \"p\"\n[alarms.x]\nkind = 1",
        "name = \"p\"\n[alarms.x]\nkind = \"command\"\nargv = []",
        "name = \"p\"\n[defaults]\nwindow = 1",
        "name = \"p\"\n[defaults]\nwindow = { days = \"\", hours = \"-\", exclude = [1, \"x\", 2026-13-01] }",
        "name = \"p\"\n[defaults]\nwindow = { hours = \"24:00-24:00\", timezone = \"\" }",
        "name = \"p\"\n[defaults]\nbake_time = \"99999999999999999999999h\"",
        "name = \"p\"\n[defaults]\nmin_data_points = { count = -1, query = 2 }",
        "name = \"p\"\n[defaults]\nmin_data_points = { count = 0xffffffffffffffff }",
        "name = \"p\"\n[defaults]\nrollback_alarm = '''\n((((ALARM(\"é\"'''",
        "name = \"p\"\n[defaults]\nrollback_alarm = \"é ALARM(\\\"x\\\")\"",
        "name = \"p\"\n[defaults]\nblocker = 'NOT NOT NOT'",
        "name = \"p\"\n[defaults]\napprovals = {}",
        "name = \"p\"\n[defaults]\napprovals = [{}, 1, { kind = \"http\" }]",
        "name = \"p\"\n[defaults]\ndeploy = { argv = [\"\"], timeout = 5, env = { A = 1 } }",
        "name = \"p\"\noverrides = { x = 1 }",
        "name = \"p\"\n[state]\nlocation = 1",
        "name = \"p\"\nstate = \"x\"",
        "name = \"p\"\ntimezone = \"\u{1F600}\"",
        "名前 = \"p\"",
        &"[a]\n".repeat(50),
        &format!(
            "name = \"p\"\n[defaults]\nblocker = '{}'",
            "(".repeat(10_000)
        ),
        &format!("name = {}", "[".repeat(100_000)),
        &format!("name = {}1{}", "[".repeat(5_000), "]".repeat(5_000)),
        &format!("name = {}", "{ a = ".repeat(20_000)),
        "name = \"p\"\n[[waves]]\nname = \"w\"\nregions = [\"r\"]\nstages = []",
        "name = \"p\"\n[[waves]]\nname = \"w\"\n[[waves]]\nname = \"w\"\nstages = [{ name = \"s\", environments = [\"e\"] }]",
    ];
    for snippet in snippets {
        let result =
            std::panic::catch_unwind(|| validate_text(snippet, Path::new("pipeline.toml")));
        match result {
            Ok(Ok(_)) => {}
            Ok(Err(diagnostics)) => {
                assert!(!diagnostics.is_empty(), "no diagnostics for {snippet:?}")
            }
            Err(_) => panic!("panicked on {snippet:?}"),
        }
    }
    // Every prefix of the example: truncated files are the most common malformed input.
    for end in (0..EXAMPLE.len())
        .filter(|i| EXAMPLE.is_char_boundary(*i))
        .step_by(7)
    {
        let _ = validate_text(&EXAMPLE[..end], Path::new("pipeline.toml"));
    }
}

#[test]
fn a_file_with_three_problems() {
    let text = r#"name = "checkout"
timezone = "Europe/Berln"

[alarms.HighSeverity]
kind = "prometheus"
url = "http://localhost:9090"
query = "sum(rate(errors_total[5m])) > 1"

[defaults]
bake_tme = "1h"
blocker = 'ALARM("HighSeverity") OR ALARM("LargeScaleEvnt")'

[[stages]]
name = "beta"
environments = ["beta"]
"#;
    assert_eq!(
        errors(text),
        [
            "pipeline.toml:2:12: unknown time zone `Europe/Berln`; did you mean `Europe/Berlin`?",
            "pipeline.toml:10:1: unknown key `bake_tme` in [defaults]; did you mean `bake_time`?",
            "pipeline.toml:11:44: unknown alarm `LargeScaleEvnt` in `blocker`; define it as [alarms.LargeScaleEvnt]",
        ]
    );
}

#[test]
fn unknown_names_are_not_found_with_a_suggestion() {
    let p = ok(EXAMPLE);
    let err = p
        .require_environment("prod-us-east-1a-onebx")
        .err()
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(
        err.message,
        "unknown environment `prod-us-east-1a-onebx` in pipeline `frontend-api`"
    );
    assert_eq!(
        err.hint.as_deref(),
        Some("did you mean `prod-us-east-1a-onebox`?")
    );
    let err = p
        .require_stage("wave-1-az")
        .err()
        .unwrap_or_else(|| panic!("found"));
    assert!(
        err.hint
            .as_deref()
            .is_some_and(|h| h.starts_with("did you mean `wave-1-az")),
        "{:?}",
        err.hint
    );
    assert!(p.require_stage("gamma").is_ok());
}

#[test]
fn the_trunk_and_every_program_are_placed_as_written() {
    let p = ok(EXAMPLE);
    assert_eq!(p.places.trunk, Some(Place { line: 3, column: 9 }));
    let programs: Vec<(&str, CommandKind, usize, usize)> = p
        .places
        .programs
        .iter()
        .map(|w| (w.program.as_str(), w.kind, w.place.line, w.place.column))
        .collect();
    assert_eq!(
        programs,
        vec![
            ("./deploy.sh", CommandKind::Deploy, 52, 20),
            ("./integration-tests.sh", CommandKind::Approval, 53, 42),
        ]
    );

    let p = ok(r#"name = "p"
[alarms.Canary]
kind = "command"
argv = ["./canary"]
[[stages]]
name = "beta"
environments = ["beta"]
deploy = { argv = ["sh", "deploy.sh"] }
"#);
    assert_eq!(p.places.trunk, None, "the default is in effect");
    assert_eq!(p.trunk, "main");
    let kinds: Vec<(&str, CommandKind)> = p
        .places
        .programs
        .iter()
        .map(|w| (w.program.as_str(), w.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("./canary", CommandKind::Alarm),
            ("sh", CommandKind::Deploy)
        ]
    );
}

#[test]
fn a_wave_bakes_as_a_whole_apart_from_its_stages() {
    let p = ok(r#"
name = "p"
[production]
bake_time = "1h"
[wave_template]
azs = ["a", "b"]
stages = [{ name = "{wave}-az{n}", environment = "{wave}-{region}{az}" }]
[[waves]]
name = "w1"
regions = ["r1"]
wave_bake_time = "12h"
[[waves]]
name = "w2"
regions = ["r1"]
bake_time = "2h"
"#);
    let stage = |name: &str| p.stage(name).unwrap_or_else(|| panic!("no stage {name}"));
    let hours = |d: Duration| d.as_secs() / 3600;
    // Each stage keeps its own bake; only the wave's last stage carries the wave's.
    assert_eq!(hours(stage("w1-az1").settings.bake_time), 1);
    assert_eq!(stage("w1-az1").wave_bake_time, Duration::ZERO);
    assert_eq!(hours(stage("w1-az1").bake_time()), 1);
    assert_eq!(hours(stage("w1-az2").settings.bake_time), 1);
    assert_eq!(hours(stage("w1-az2").wave_bake_time), 12);
    assert_eq!(hours(stage("w1-az2").bake_time()), 13);
    // A wave's `bake_time` keeps its meaning: every stage of the wave inherits it.
    assert_eq!(hours(stage("w2-az1").bake_time()), 2);
    assert_eq!(hours(stage("w2-az2").bake_time()), 2);
    assert_eq!(p.waves[0].wave_bake_time, Duration::from_secs(12 * 3600));
    assert_eq!(p.waves[1].wave_bake_time, Duration::ZERO);

    // `captain plan` shows both.
    let plan = p.plan();
    let row = |name: &str| {
        plan.stages
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no plan row {name}"))
    };
    assert_eq!(row("w1-az2").bake_time, "1h");
    assert_eq!(row("w1-az2").wave_bake_time.as_deref(), Some("12h"));
    assert_eq!(row("w1-az1").wave_bake_time, None);
    assert_eq!(plan.waves[0].wave_bake_time, "12h");
    assert_eq!(plan.waves[0].stages, ["w1-az1", "w1-az2"]);
}

#[test]
fn a_wave_bake_time_is_checked_where_it_is_written() {
    let text = r#"
name = "p"
[[waves]]
name = "w1"
stages = [{ name = "s", environments = ["e"] }]
wave_bake_time = "soon"
"#;
    let diagnostics = validate_text(text, Path::new("pipeline.toml"))
        .err()
        .unwrap_or_default();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert!(
        diagnostics[0].message.contains("wave_bake_time"),
        "{diagnostics:?}"
    );
    assert_eq!(diagnostics[0].line, 6);
    // Only a wave has one: a stage or [production] naming it is told so.
    let text = "name = \"p\"\n[production]\nwave_bake_time = \"1h\"\n[[waves]]\nname = \"w\"\nstages = [{ name = \"s\", environments = [\"e\"] }]\n";
    let diagnostics = validate_text(text, Path::new("pipeline.toml"))
        .err()
        .unwrap_or_default();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert!(
        diagnostics[0].message.contains("wave_bake_time"),
        "{diagnostics:?}"
    );
}

#[test]
fn an_external_step_names_its_approvers_by_person_and_group() {
    let p = ok(r#"name = "p"
[groups]
principal-engineers = ["alice", "bob"]
[[stages]]
name = "s"
environments = ["e"]
approvals = [
  { kind = "external", name = "sign-off", approvers = 2, allowed = ["group:principal-engineers", "carol"], self_approval = false },
  { kind = "external", name = "qa" },
]
"#);
    let approvals = &p.stages[0].settings.approvals;
    let ApprovalKind::External(rule) = &approvals[0].kind else {
        panic!("{approvals:?}");
    };
    assert_eq!(rule.count, 2);
    assert_eq!(rule.allowed, ["group:principal-engineers", "carol"]);
    assert_eq!(
        rule.people.iter().map(String::as_str).collect::<Vec<_>>(),
        ["alice", "bob", "carol"]
    );
    assert!(!rule.self_approval);
    assert!(rule.admits("bob") && !rule.admits("mallory"));
    // Without the keys: one approval by anyone, as before.
    let ApprovalKind::External(rule) = &approvals[1].kind else {
        panic!("{approvals:?}");
    };
    assert_eq!(*rule, crate::config::Approvers::default());
    assert_eq!(p.groups["principal-engineers"], ["alice", "bob"]);
}

#[test]
fn approvers_and_groups_are_checked_with_a_suggestion() {
    let found = errors(
        r#"name = "p"
[groups]
principal-engineers = ["alice", "bob"]
empty = []
nested = ["group:principal-engineers"]
[[stages]]
name = "s"
environments = ["e"]
approvals = [
  { kind = "external", name = "a", allowed = ["group:principal-engineer"] },
  { kind = "external", name = "b", approvers = 3, allowed = ["group:principal-engineers"] },
  { kind = "external", name = "c", approvers = 0, self_aproval = false },
  { kind = "command", argv = ["./t"], approvers = 2 },
  { kind = "external", name = "d", allowed = [] },
]
"#,
    );
    assert_eq!(
        found,
        [
            "pipeline.toml:4:9: group `empty` has nobody in it; list its people: empty = [\"alice\", \"bob\"]",
            "pipeline.toml:5:11: group `nested` names `group:principal-engineers`: a group lists people, not groups; list that group's people here instead",
            "pipeline.toml:10:47: unknown group `principal-engineer` in `allowed` in an approval step in stage `s`; did you mean `group:principal-engineers`?",
            "pipeline.toml:11:3: 3 approvers are needed in an approval step in stage `s`, but `allowed` names only 2 people; lower `approvers` or allow more people",
            "pipeline.toml:12:48: `approvers` must be at least 1 in an approval step in stage `s`; remove the step if nobody needs to approve",
            "pipeline.toml:12:51: unknown key `self_aproval` in an approval step in stage `s`; did you mean `self_approval`?",
            "pipeline.toml:13:39: unknown key `approvers` in an approval step in stage `s`; `approvers` is for steps people approve: kind = \"external\"",
            "pipeline.toml:14:46: `allowed` names nobody in an approval step in stage `s`; name people or groups (\"group:NAME\"), or leave `allowed` out to let anyone approve",
        ]
    );
}

#[test]
fn expedite_scales_or_sets_bakes_and_names_its_approvers() {
    let p = ok(r#"name = "p"
[groups]
release-managers = ["alice", "bob"]
[expedite]
bake_scale = 0.25
wave_bake = { "wave-2" = "10m" }
keep_windows = false
approvers = 2
allowed = ["group:release-managers"]
[[waves]]
name = "wave-1"
stages = [{ name = "a", environments = ["a"] }]
bake_time = "8h"
wave_bake_time = "4h"
[[waves]]
name = "wave-2"
stages = [{ name = "b", environments = ["b"] }]
bake_time = "8h"
"#);
    let rule = p.expedite.as_ref().expect("expedite");
    assert!(!rule.keep_windows);
    assert_eq!(rule.approvers.count, 2);
    assert!(!rule.approvers.self_approval, "never the one who asked");
    let a = p.stage("a").expect("a");
    let b = p.stage("b").expect("b");
    assert_eq!(p.bake_time(a, false), Duration::from_secs(12 * 3600));
    assert_eq!(p.bake_time(a, true), Duration::from_secs(3 * 3600));
    assert_eq!(p.bake_time(b, true), Duration::from_secs(600));
    assert!(
        ok("name = \"p\"\n[[stages]]\nname = \"s\"\nenvironments = [\"e\"]\n")
            .expedite
            .is_none()
    );
}

#[test]
fn expedite_is_checked_with_a_suggestion() {
    let found = errors(
        r#"name = "p"
[expedite]
bake_scale = 2
wave_bake = { "wave-one" = "1h" }
keep_window = true
allowed = ["group:managers"]
self_approval = true
[[waves]]
name = "wave-1"
stages = [{ name = "a", environments = ["a"] }]
"#,
    );
    assert_eq!(
        found,
        [
            "pipeline.toml:3:14: `bake_scale` in [expedite] must be a number from 0 to 1; 0.25 bakes an expedited release a quarter as long",
            "pipeline.toml:4:15: unknown wave `wave-one` in `wave_bake` in [expedite]; did you mean `wave-1`?",
            "pipeline.toml:5:1: unknown key `keep_window` in [expedite]; did you mean `keep_windows`?",
            "pipeline.toml:6:12: unknown group `managers` in `allowed` in [expedite]; define it under [groups]: managers = [\"alice\", \"bob\"]",
            "pipeline.toml:7:1: unknown key `self_approval` in [expedite]; an expedite is never approved by the one who asked nor by the release's author",
        ]
    );
}

#[test]
fn notify_targets_are_read_and_checked() {
    let base = "name = \"p\"\n[[stages]]\nname = \"beta\"\nenvironments = [\"beta\"]\n";
    let p = ok(&format!(
        "{base}[[notify]]\nname = \"chat\"\nurl_env = \"SLACK_URL\"\nformat = \"slack\"\nevents = [\"deployment.failed\", \"rollback.started\"]\nmax_attempts = 3\ntimeout = \"5s\"\n\
         [[notify]]\nname = \"bot\"\nurl = \"https://bot.example/hook\"\nevents = [\"*\"]\nsecret_env = \"BOT_SECRET\"\n"
    ));
    assert_eq!(p.notify.len(), 2);
    let chat = &p.notify[0];
    assert_eq!(chat.url, NotifyUrl::Env("SLACK_URL".into()));
    assert_eq!(chat.format, NotifyFormat::Slack);
    assert_eq!(
        (chat.max_attempts, chat.timeout),
        (3, Duration::from_secs(5))
    );
    assert!(chat.wants("deployment.failed") && !chat.wants("lock.set"));
    let bot = &p.notify[1];
    assert_eq!(bot.format, NotifyFormat::Captain);
    assert_eq!(bot.secret_env.as_deref(), Some("BOT_SECRET"));
    assert!(bot.wants("lock.set"));

    let problems = errors(&format!(
        "{base}[[notify]]\nname = \"chat\"\nurl = \"ftp://x\"\nevents = [\"deployment.faild\"]\nformat = \"slak\"\nsecret_env = \"s3cr3t value\"\nmax_attempts = 0\n\
         [[notify]]\nname = \"chat\"\nevents = []\n"
    ));
    let all = problems.join("\n");
    for expected in [
        "`notify.url` must be an http:// or https:// URL",
        "unknown event `deployment.faild`",
        "did you mean `deployment.failed`",
        "unknown format `slak`",
        "`notify.secret_env` must name an environment variable",
        "`notify.max_attempts` must be at least 1",
        "missing `url` in [[notify]]",
    ] {
        assert!(all.contains(expected), "{expected}: {all}");
    }
}

#[test]
fn freezes_are_read_in_the_pipeline_time_zone_and_inherited() {
    let p = ok(r#"
name = "f"
timezone = "America/New_York"
freezes = [
  { from = 2026-11-26, to = 2026-11-27, reason = "Thanksgiving" },
  { from = "2026-12-01T09:00", to = "2026-12-01T15:00:00Z", reason = "drill" },
]
[defaults]
freezes = [{ from = 2026-12-24T00:00:00, to = 2026-12-26 00:00, reason = "Christmas" }]
[[stages]]
name = "beta"
environments = ["beta"]
freezes = []
[[stages]]
name = "prod"
environments = ["prod"]
"#);
    assert_eq!(p.freezes.len(), 2);
    // A date alone is the whole day: `to` is the end of the 27th, in New York (UTC-5).
    assert_eq!(p.freezes[0].from.to_string(), "2026-11-26T05:00:00Z");
    assert_eq!(p.freezes[0].to.to_string(), "2026-11-28T05:00:00Z");
    assert_eq!(p.freezes[0].scope, "pipeline");
    assert_eq!(p.freezes[1].from.to_string(), "2026-12-01T14:00:00Z");
    let reasons = |stage: &str| -> Vec<String> {
        p.stage(stage)
            .map(|s| {
                s.settings
                    .freezes
                    .iter()
                    .map(|f| f.reason.clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    // The pipeline's hold everywhere; a stage's own list replaces the inherited one.
    assert_eq!(reasons("beta"), vec!["Thanksgiving", "drill"]);
    assert_eq!(reasons("prod"), vec!["Thanksgiving", "drill", "Christmas"]);
    let christmas = p
        .stage("prod")
        .map(|s| s.settings.freezes[2].clone())
        .expect("prod's freezes");
    assert_eq!(christmas.scope, "[defaults]");
    assert_eq!(christmas.to.to_string(), "2026-12-26T05:00:00Z");
}

#[test]
fn bad_freezes_are_named_with_the_fix() {
    let text = r#"
name = "f"
freezes = [
  { from = 2026-12-24, to = 2026-12-20, reason = "backwards" },
  { from = "2026-13-01", to = 2026-12-20, reason = "bad month" },
  { form = 2026-12-01, to = 2026-12-20, reason = "typo" },
  { from = 2026-12-01, to = 2026-12-20 },
  { from = 5, to = 2026-12-20, reason = "number" },
]
freeze = []
[[stages]]
name = "beta"
environments = ["beta"]
freezes = { from = 2026-12-01 }
window = []
"#;
    let all = errors(text).join("\n");
    for expected in [
        "the freeze `backwards` ends (2026-12-21 00:00 UTC) before it starts (2026-12-24 00:00 UTC)",
        "`from` of a freeze: invalid date-time `2026-13-01`",
        "unknown key `form` in a freeze at the top level",
        "did you mean `from`?",
        "missing `reason` in a freeze at the top level",
        "`from` of a freeze must be a date-time, found an integer",
        "unknown key `freeze` at the top level",
        "did you mean `freezes`?",
        "`freezes` must be an array of tables, found a table",
        "`window` lists no window",
    ] {
        assert!(all.contains(expected), "missing {expected:?} in:\n{all}");
    }
}
