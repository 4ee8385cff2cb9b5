
use builtin;
use str;

set edit:completion:arg-completer[captain] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'captain'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'captain'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Write a starter pipeline.toml. In a terminal, choose the template from a list; otherwise name it with --template'
            cand validate 'Check pipeline.toml and report every problem at once, each with file, line and column and, for a misspelt name, the name you probably meant'
            cand plan 'Show the expanded pipeline: waves → stages → environments, with each stage''s effective bake time (and, on a wave''s last stage, the wave''s own bake that follows it), window, alarms and auto-rollback; then the freezes written in pipeline.toml, in the pipeline''s time zone, with the stages each holds'
            cand config 'Show the settings in effect: repository, pipeline file, state location (and which setting chose it), actor'
            cand release 'Record and inspect releases (create, list, show)'
            cand deploy 'Record deployments run by an external CI (start, finish)'
            cand run 'Run the release captain: promote, deploy, verify, bake, supersede and roll back'
            cand next 'Which release to deploy into STAGE now, or none and why'
            cand gate 'May a deployment into STAGE start now? Exit 0 if so, 3 if not (the output says why)'
            cand bake 'Bake a stage an external CI deploys: record its approval once the bake is over, or its failure'
            cand retry 'Deploy the release that failed in a stage again, after a transient failure (a missing script, a killed runner, a flaky step)'
            cand approve 'Pass an external approval step of a deployment in progress'
            cand reject 'Fail an external approval step of a deployment in progress (fails the release in its stage, and rolls back where auto-rollback is on)'
            cand logs 'The captured output of a deployment''s deploy command and approval steps, with captain''s own notes (`captain:` lines), oldest first'
            cand status 'The pipeline at a glance: per wave, stage and environment, the current release, its state, a deployment in progress, the release waiting to be promoted, and locks'
            cand history 'Deployment history of an environment, newest first: deployment, when, outcome, commits added and removed ("+5 −2"), and commit range'
            cand where 'Where a commit is: the first release containing it, the deployment that first brought it to each environment, and the environments where it is and is not deployed now'
            cand diff 'Compare two releases or environments: what replacing A by B changes'
            cand metrics 'Delivery metrics of a window, from the ledger alone: deployment success rate (M1), lead time for changes per commit with a histogram (M2), change failure rate (M3), time to recovery (M4), time to detect (M5), promotion time between stages (M7), pipeline duration (M8), rollbacks per 100 deployments (M10), audit completeness (M12), and the four DORA keys with their performance band'
            cand rollback 'Roll environments back to an older release, after a preview'
            cand freeze 'Freeze the pipeline, a stage, an environment or a wave: nothing is promoted or started there until it is lifted (or until --until)'
            cand unfreeze 'Lift an emergency freeze of the pipeline, a stage, an environment or a wave'
            cand promotions 'Disable or enable promotions into and out of stages and environments (list, disable, enable)'
            cand pipeline 'The pipeline''s definition as a team server holds it (push, show, history, diff)'
            cand state 'Export or import the whole ledger as versioned JSON Lines'
            cand override 'Let deployments start into a stage or an environment although its blocker (an alarm expression such as an organisation-wide event) is in ALARM — for a while, with a reason that is recorded and audited. `captain run`, `next`, `gate` and `deploy start` honour it'
            cand simulate 'Run the pipeline in virtual time with synthetic releases, deploy and test durations and injected failures; report how long a commit takes to reach each wave and environment (median, p90) and where releases queue or are superseded'
            cand audit 'Show audit events, newest first: every change to the ledger with its actor (on a team server, the token''s name), time and reason'
            cand events 'Print the ledger''s events, oldest first, as JSON Lines: one object per change (release created, deployment started/approved/failed, rollback, lock set/lifted, release blocked, …) with its `event` name, its `id` (`PIPELINE:SEQ`, the same on every read, for dropping duplicates) and the audit record (`seq`, `at`, `actor`, `action`, `target`, `reason`, `details`). With --follow, keeps printing new events as they are recorded until interrupted; a reader that stops reading (`| head`) ends it quietly'
            cand notify 'Notifications to [[notify]] targets: their deliveries and parked events (status, retry, deliver)'
            cand serve 'Run the team server: the ledger of every pipeline as an HTTP/JSON API for the CLI, CI jobs and runbooks (`--state https://…` on the client side)'
            cand ui 'Open the pipeline in a browser: the read-only web pages of `captain serve` (the pipeline, each environment''s history, releases, commit search, the audit log) over this pipeline''s ledger, updating by themselves while the tab is open'
            cand token 'API tokens of the team server (create, list, revoke)'
            cand completions 'Print a shell completion script'
            cand man 'Write man pages (captain.1 and one per subcommand) into a directory'
            cand schemas 'Write the JSON Schema of every --output json view into a directory (one file per view, e.g. status.json; the same files as the project''s schemas/)'
            cand demo 'A self-contained tour for a newcomer: a sandbox git repository and pipeline in a temporary directory, several releases deployed to local directories (a new directory and a symlink switch per deployment), a failed test run, an alarm and a rollback, then status, history and where. Touches nothing outside the temporary directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'captain;init'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --template 'The template (see --list)'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand --list 'List the templates and exit'
            cand --force 'Overwrite an existing file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;validate'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;plan'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;config'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;release'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand create 'Record an immutable release of a commit (CI, after a build)'
            cand list 'List releases, newest first'
            cand show 'Show one release: its commit, artifacts, commits and dependencies, and what it changed'
            cand block 'Block a bad release everywhere: it is never promoted or deployed again'
            cand unblock 'Lift the block of a release, so it may be promoted again'
            cand expedite 'Ask to expedite an urgent release: once approved, it is deployed by the pipeline''s [expedite] rules'
            cand approve 'Approve expediting a release (`captain release expedite`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'captain;release;create'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --commit 'The commit to release (default: GITHUB_SHA, CI_COMMIT_SHA, … then HEAD)'
            cand --artifact 'An artifact of the release, NAME=REF (an image digest, an object key); repeatable'
            cand --reason 'Why the hotfix cannot wait for the trunk (recorded with the release and audited)'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand --hotfix 'Release a commit that is not on the trunk branch (a hotfix); needs --reason'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;release;list'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --limit 'Show at most this many'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;release;show'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;release;block'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --reason 'Why (required): shown wherever the release is refused, and kept in the audit log'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand --rollback 'Also roll back the environments running it (preview, then confirmation or --yes)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;release;unblock'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --reason 'Why (required): kept in the audit log'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;release;expedite'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --reason 'Why it cannot wait (required): shown to the approvers, kept in the audit log'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;release;approve'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --reason 'Why (kept in the audit log)'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;release;help'= {
            cand create 'create'
            cand list 'list'
            cand show 'show'
            cand block 'block'
            cand unblock 'unblock'
            cand expedite 'expedite'
            cand approve 'approve'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'captain;release;help;create'= {
        }
        &'captain;release;help;list'= {
        }
        &'captain;release;help;show'= {
        }
        &'captain;release;help;block'= {
        }
        &'captain;release;help;unblock'= {
        }
        &'captain;release;help;expedite'= {
        }
        &'captain;release;help;approve'= {
        }
        &'captain;release;help;help'= {
        }
        &'captain;deploy'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand start 'Record the start of a deployment run by an external CI'
            cand finish 'Record how a deployment ended'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'captain;deploy;start'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --release 'The release being deployed, e.g. v12'
            cand --reason 'Why (required with --force; recorded in the audit log)'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand --rollback 'This deployment puts an older release back (a rollback)'
            cand --force 'Skip the approval, lock and ordering checks (needs --reason)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;deploy;finish'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --outcome 'How it ended'
            cand --reason 'Why (required with --force; recorded in the audit log)'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand --force 'Record the outcome now, skipping the rest of the stage''s approval steps and its bake (needs --reason; audited)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;deploy;help'= {
            cand start 'start'
            cand finish 'finish'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'captain;deploy;help;start'= {
        }
        &'captain;deploy;help;finish'= {
        }
        &'captain;deploy;help;help'= {
        }
        &'captain;run'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --interval 'Seconds between passes while nothing runs (fractions allowed)'
            cand --metrics-listen 'Serve `GET /metrics` (the Prometheus text format, as `captain serve` does) for this loop on ADDR: HOST:PORT, or a port on 127.0.0.1. No token on loopback; any other address needs CAPTAIN_METRICS_TOKEN, the bearer token Prometheus sends'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand --once 'One round, for cron or CI: pass until nothing moves and the commands this run started have finished, hand what still bakes to the next round, then exit (6 when a deployment failed in this round)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;next'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand --preview 'Also show what the release would change in the stage''s environments'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;gate'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;bake'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --release 'The release to ask about (default: the one the stage works on)'
            cand --interval 'With --wait, seconds between looks at the alarm and the data points'
            cand --timeout 'With --wait, give up (exit 3) after this long, e.g. 2h'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand --wait 'Watch for the rest of the bake (and while the stage still deploys or verifies)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;retry'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --reason 'Why it is worth another try (required; recorded in the audit log)'
            cand --release 'The release to retry (default: the newest that failed in the stage)'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;approve'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --step 'The external step''s name, as in pipeline.toml'
            cand --reason 'Why (recorded in the audit log)'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;reject'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --step 'The external step''s name, as in pipeline.toml'
            cand --reason 'Why (required; recorded in the audit log)'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;logs'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;status'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --interval 'Seconds between redraws with --watch'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand --watch 'Redraw every few seconds until interrupted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;history'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --limit 'Show at most this many deployments'
            cand --since 'Only deployments since a time (2026-11-01, an RFC 3339 time, or a duration back from now such as 2d)'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;where'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;diff'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;metrics'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --since 'The window''s start: a duration back from now (30d, 90d), a date (2026-11-01) or an RFC 3339 time'
            cand --stage 'Only this stage''s environments'
            cand --wave 'Only this wave''s environments'
            cand --environment 'Only this environment'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;rollback'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --to 'The release to go back to, e.g. v12 (default: the last approved one before the current)'
            cand --reason 'Why: shown on the promotion locks and kept in the audit log'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand --pick 'Choose the release from a list of earlier releases (needs a terminal)'
            cand --dry-run 'Print the preview and change nothing'
            cand --force 'Allow a target that was never approved in an environment'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;freeze'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --reason 'Why (required): shown wherever a start is refused, and kept in the audit log'
            cand --until 'When it ends by itself: a duration (2h, 1day) or a time in the pipeline''s time zone (2026-12-21T18:00; 2026-12-21 is the end of that day; or with an offset, 2026-12-21T18:00:00Z). Default: until `captain unfreeze`'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;unfreeze'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --reason 'Why (required): kept in the audit log'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;promotions'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand list 'List the locks in force: who disabled promotions into or out of what, when and why'
            cand disable 'Disable promotions into and/or out of environments, stages or waves'
            cand enable 'Enable promotions again, so the next approved release flows in'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'captain;promotions;list'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;promotions;disable'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --direction 'Which promotions: into the targets, out of them, or both'
            cand --reason 'Why (required): shown by `captain promotions list` and kept in the audit log'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;promotions;enable'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --direction 'Which promotions: into the targets, out of them, or both'
            cand --reason 'Why (kept in the audit log)'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;promotions;help'= {
            cand list 'list'
            cand disable 'disable'
            cand enable 'enable'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'captain;promotions;help;list'= {
        }
        &'captain;promotions;help;disable'= {
        }
        &'captain;promotions;help;enable'= {
        }
        &'captain;promotions;help;help'= {
        }
        &'captain;pipeline'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand push 'Register the local pipeline.toml as the pipeline''s next definition (an operator''s)'
            cand show 'Print a registered definition (default: the newest)'
            cand history 'List the registered versions of the definition, newest first'
            cand diff 'Show how the local pipeline.toml differs from a registered definition (default: the newest)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'captain;pipeline;push'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --reason 'Why (recorded in the audit log)'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;pipeline;show'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --version 'Which version'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;pipeline;history'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;pipeline;diff'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --version 'Which version'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;pipeline;help'= {
            cand push 'push'
            cand show 'show'
            cand history 'history'
            cand diff 'diff'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'captain;pipeline;help;push'= {
        }
        &'captain;pipeline;help;show'= {
        }
        &'captain;pipeline;help;history'= {
        }
        &'captain;pipeline;help;diff'= {
        }
        &'captain;pipeline;help;help'= {
        }
        &'captain;state'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand export 'Write the whole ledger as versioned JSON Lines to stdout (backups, moving to a team server). The format is documented in the README'
            cand import 'Load a ledger export from stdin, all or nothing'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'captain;state;export'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;state;import'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand --merge 'Add to a ledger that already holds records (records already present are skipped)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;state;help'= {
            cand export 'export'
            cand import 'import'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'captain;state;help;export'= {
        }
        &'captain;state;help;import'= {
        }
        &'captain;state;help;help'= {
        }
        &'captain;override'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --reason 'Why (required; kept in the audit log)'
            cand --for 'How long the override stays in force (e.g. 30m, 2h)'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;simulate'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --duration 'How much time to simulate (e.g. 30d, 12w)'
            cand --merges-per-day 'Merges to main (new releases) per day, spread over the --merge-hours'
            cand --merge-hours 'When people merge, in the pipeline''s time zone: days and hours as in a window (`mon-fri 09:00-17:00`, `mon-sun`), or `always` for around the clock'
            cand --deploy-time 'How long one deploy command takes'
            cand --step-time 'How long one approval step takes'
            cand --bad-releases 'Share of releases that carry a bad change (0 to 1)'
            cand --catch-pre-production 'Chance that a pre-production stage catches a bad release that reaches it'
            cand --catch-one-box 'Chance that a one-box stage (its name says `onebox`) catches a bad release'
            cand --catch-zonal 'Chance that any other production (zonal) stage catches a bad release'
            cand --flakes 'Chance that one deployment fails on its own, whatever its release (0 to 1)'
            cand --data-points-per-hour 'Bake data points gathered per hour in each environment'
            cand --seed 'Seed of the random failures and merge times (the same seed gives the same report)'
            cand --set 'What if: simulate the pipeline with PATH=VALUE changed as well, and show it next to the pipeline as written (`waves.wave-1.wave_bake_time=6h`, `production.window.days=mon-fri`, `stages.gamma.bake_time=0s`); repeatable. In an array (`waves`, `stages`) a part of the path picks the entry by its name'
            cand --plot 'Draw, for each wave, the share of commits that reached it against the time since their merge, as an SVG file (of the pipeline as written)'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand --environments 'Show every environment, not only the waves and stages'
            cand --expedite 'Expedite every release (as if `captain release expedite` were approved for each): the time to every region by the pipeline''s [expedite] rules'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;audit'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --environment 'Only events about this environment (its deployments, rollbacks and locks)'
            cand --actor 'Only events by this actor'
            cand --limit 'Show at most this many events'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;events'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --since 'Only events after this: a duration before now (`1h`, `2d`), a time (RFC 3339), or an event''s `seq` (`120`: the events after event 120)'
            cand --after 'Resume after this `cursor` (from an earlier line)'
            cand --interval 'With --follow: how often to look for new events'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -f 'Keep running and print new events as they are recorded'
            cand --follow 'Keep running and print new events as they are recorded'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;notify'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand status 'Each [[notify]] target''s place in the event log, its failures, and the events it parked after too many failed deliveries'
            cand retry 'Send parked events again now, oldest first: each delivered one is forgotten, each that fails stays parked with the new error (exit 1)'
            cand deliver 'Deliver what the targets have not had yet, once, for at most --timeout (for cron; `captain run` and `captain serve` deliver continuously)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'captain;notify;status'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;notify;retry'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --target 'Only this target''s parked events'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;notify;deliver'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --timeout 'The longest this may take'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;notify;help'= {
            cand status 'status'
            cand retry 'retry'
            cand deliver 'deliver'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'captain;notify;help;status'= {
        }
        &'captain;notify;help;retry'= {
        }
        &'captain;notify;help;deliver'= {
        }
        &'captain;notify;help;help'= {
        }
        &'captain;serve'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --database 'Where the ledgers live: sqlite:DIR (one file per pipeline in DIR) or postgres://…'
            cand --listen 'The address to listen on (port 0 picks a free port, printed on start)'
            cand --tls-cert 'Serve HTTPS with this PEM certificate chain (with --tls-key)'
            cand --tls-key 'The PEM private key of --tls-cert'
            cand --bootstrap-token-file 'When no token exists yet, create the admin token `admin` and write its secret here (mode 0600)'
            cand --auth-db 'With sqlite:DIR: keep tokens in this SQLite file (default: DIR/server.sqlite). With postgres://… they live in the database itself, and this is refused'
            cand --concurrency 'Store calls that run at once; more requests wait their turn in the order they came, so under load each waits about as long as the others (default: twice the CPUs, at least 4)'
            cand --interval 'With --run: seconds between passes while nothing moves (fractions allowed)'
            cand --max-connections 'Connections open at once; one more is closed as it arrives (default: three quarters of the open-files limit, between 16 and 10000)'
            cand --header-timeout 'Seconds a connection has to send a request''s headers, from when it opened or answered its last request (an idle keep-alive connection is closed after it)'
            cand --body-timeout 'Seconds a request has to send its whole body (else 408)'
            cand --request-timeout 'Seconds a request''s handler has to answer (else 503 with Retry-After)'
            cand --idle-timeout 'Seconds a connection may stay with no byte moving either way before it is closed (longer than --request-timeout)'
            cand --db-pool-size 'With PostgreSQL: connections of the one pool all pipelines and the server''s own tables share'
            cand --acquire-timeout 'Seconds a request waits for a database connection, or a heavy read for its turn, before it is 503 with Retry-After'
            cand --db-connect-timeout 'With PostgreSQL: seconds opening a connection may take (unless the URL sets connect_timeout). Connections use TCP keepalive (first probe after 30 s idle)'
            cand --db-statement-timeout 'With PostgreSQL: seconds a statement may run (its statement_timeout)'
            cand --heavy-reads 'Heavy reads (exports, history and audit scans, release lists) running at once, in a lane of their own: however many wait, writes keep their turns'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand --log-json 'Request logs as JSON lines'
            cand --run 'Also drive the `captain run` loop of each pipeline given with --pipeline (repeat it per pipeline). With PostgreSQL, replicas sharing the database take turns: one drives a pipeline at a time (a PostgreSQL advisory lock), another takes over when it dies'
            cand --trust-client-clock 'For tests only: decide bakes, windows and freezes with the time each client sends (CAPTAIN_NOW) instead of the server''s clock. Never in production: a client could then end a bake early'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;ui'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --listen 'The address to listen on (port 0 picks a free port)'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand --open 'Open the page in the default browser (xdg-open, open)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;token'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand create 'Create an API token and print its secret, once (it is stored only hashed)'
            cand list 'List the tokens (never their secrets)'
            cand revoke 'Revoke a token: the server refuses it from now on'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'captain;token;create'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --role 'What the token may do'
            cand --reason 'Why (recorded in the audit log)'
            cand --limit-to 'Limit the token to this pipeline (repeat for several); without it the token reaches every pipeline. Requests for any other pipeline are refused (403, exit 1)'
            cand --idempotency-key 'The idempotency key of this creation: running the same command again with the same key (within a day) prints the same token and secret instead of failing. Without it a fresh key still covers the command''s own retries'
            cand --database 'Work on the server''s database directly instead of through the server (sqlite:DIR or postgres://…)'
            cand --auth-db 'With --database: the SQLite file holding the tokens, if not the default'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand --delegate 'Let the token record the actor its client names (CI''s GITHUB_ACTOR) instead of the token''s name'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;token;list'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --database 'Work on the server''s database directly instead of through the server (sqlite:DIR or postgres://…)'
            cand --auth-db 'With --database: the SQLite file holding the tokens, if not the default'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;token;revoke'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --reason 'Why (recorded in the audit log)'
            cand --database 'Work on the server''s database directly instead of through the server (sqlite:DIR or postgres://…)'
            cand --auth-db 'With --database: the SQLite file holding the tokens, if not the default'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;token;help'= {
            cand create 'create'
            cand list 'list'
            cand revoke 'revoke'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'captain;token;help;create'= {
        }
        &'captain;token;help;list'= {
        }
        &'captain;token;help;revoke'= {
        }
        &'captain;token;help;help'= {
        }
        &'captain;completions'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;man'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;schemas'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;demo'= {
            cand --repo 'The git repository (default: the one around the current directory)'
            cand --pipeline 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive'
            cand --state 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory'
            cand --ca-file 'A PEM file of CA certificates to trust when talking to a team server over HTTPS'
            cand --output 'Output format of views and results'
            cand --json 'Short for --output json (not with --output: one format at a time)'
            cand -q 'Print results only: no status messages or progress'
            cand --quiet 'Print results only: no status messages or progress'
            cand --no-color 'Never colour the output (also: the NO_COLOR environment variable)'
            cand -y 'Answer yes to confirmations (for scripts)'
            cand --yes 'Answer yes to confirmations (for scripts)'
            cand --keep 'Keep the temporary directory and print its path, to look around afterwards'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'captain;help'= {
            cand init 'init'
            cand validate 'validate'
            cand plan 'plan'
            cand config 'config'
            cand release 'Record and inspect releases (create, list, show)'
            cand deploy 'Record deployments run by an external CI (start, finish)'
            cand run 'run'
            cand next 'next'
            cand gate 'gate'
            cand bake 'bake'
            cand retry 'retry'
            cand approve 'approve'
            cand reject 'reject'
            cand logs 'logs'
            cand status 'status'
            cand history 'history'
            cand where 'where'
            cand diff 'diff'
            cand metrics 'metrics'
            cand rollback 'rollback'
            cand freeze 'freeze'
            cand unfreeze 'unfreeze'
            cand promotions 'Disable or enable promotions into and out of stages and environments (list, disable, enable)'
            cand pipeline 'The pipeline''s definition as a team server holds it (push, show, history, diff)'
            cand state 'Export or import the whole ledger as versioned JSON Lines'
            cand override 'override'
            cand simulate 'simulate'
            cand audit 'audit'
            cand events 'events'
            cand notify 'Notifications to [[notify]] targets: their deliveries and parked events (status, retry, deliver)'
            cand serve 'serve'
            cand ui 'ui'
            cand token 'API tokens of the team server (create, list, revoke)'
            cand completions 'completions'
            cand man 'man'
            cand schemas 'schemas'
            cand demo 'demo'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'captain;help;init'= {
        }
        &'captain;help;validate'= {
        }
        &'captain;help;plan'= {
        }
        &'captain;help;config'= {
        }
        &'captain;help;release'= {
            cand create 'create'
            cand list 'list'
            cand show 'show'
            cand block 'block'
            cand unblock 'unblock'
            cand expedite 'expedite'
            cand approve 'approve'
        }
        &'captain;help;release;create'= {
        }
        &'captain;help;release;list'= {
        }
        &'captain;help;release;show'= {
        }
        &'captain;help;release;block'= {
        }
        &'captain;help;release;unblock'= {
        }
        &'captain;help;release;expedite'= {
        }
        &'captain;help;release;approve'= {
        }
        &'captain;help;deploy'= {
            cand start 'start'
            cand finish 'finish'
        }
        &'captain;help;deploy;start'= {
        }
        &'captain;help;deploy;finish'= {
        }
        &'captain;help;run'= {
        }
        &'captain;help;next'= {
        }
        &'captain;help;gate'= {
        }
        &'captain;help;bake'= {
        }
        &'captain;help;retry'= {
        }
        &'captain;help;approve'= {
        }
        &'captain;help;reject'= {
        }
        &'captain;help;logs'= {
        }
        &'captain;help;status'= {
        }
        &'captain;help;history'= {
        }
        &'captain;help;where'= {
        }
        &'captain;help;diff'= {
        }
        &'captain;help;metrics'= {
        }
        &'captain;help;rollback'= {
        }
        &'captain;help;freeze'= {
        }
        &'captain;help;unfreeze'= {
        }
        &'captain;help;promotions'= {
            cand list 'list'
            cand disable 'disable'
            cand enable 'enable'
        }
        &'captain;help;promotions;list'= {
        }
        &'captain;help;promotions;disable'= {
        }
        &'captain;help;promotions;enable'= {
        }
        &'captain;help;pipeline'= {
            cand push 'push'
            cand show 'show'
            cand history 'history'
            cand diff 'diff'
        }
        &'captain;help;pipeline;push'= {
        }
        &'captain;help;pipeline;show'= {
        }
        &'captain;help;pipeline;history'= {
        }
        &'captain;help;pipeline;diff'= {
        }
        &'captain;help;state'= {
            cand export 'export'
            cand import 'import'
        }
        &'captain;help;state;export'= {
        }
        &'captain;help;state;import'= {
        }
        &'captain;help;override'= {
        }
        &'captain;help;simulate'= {
        }
        &'captain;help;audit'= {
        }
        &'captain;help;events'= {
        }
        &'captain;help;notify'= {
            cand status 'status'
            cand retry 'retry'
            cand deliver 'deliver'
        }
        &'captain;help;notify;status'= {
        }
        &'captain;help;notify;retry'= {
        }
        &'captain;help;notify;deliver'= {
        }
        &'captain;help;serve'= {
        }
        &'captain;help;ui'= {
        }
        &'captain;help;token'= {
            cand create 'create'
            cand list 'list'
            cand revoke 'revoke'
        }
        &'captain;help;token;create'= {
        }
        &'captain;help;token;list'= {
        }
        &'captain;help;token;revoke'= {
        }
        &'captain;help;completions'= {
        }
        &'captain;help;man'= {
        }
        &'captain;help;schemas'= {
        }
        &'captain;help;demo'= {
        }
        &'captain;help;help'= {
        }
    ]
    $completions[$command]
}
