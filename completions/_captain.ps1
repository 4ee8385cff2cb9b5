
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'captain' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'captain'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'captain' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a starter pipeline.toml. In a terminal, choose the template from a list; otherwise name it with --template')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check pipeline.toml and report every problem at once, each with file, line and column and, for a misspelt name, the name you probably meant')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show the expanded pipeline: waves → stages → environments, with each stage''s effective bake time (and, on a wave''s last stage, the wave''s own bake that follows it), window, alarms and auto-rollback; then the freezes written in pipeline.toml, in the pipeline''s time zone, with the stages each holds')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the settings in effect: repository, pipeline file, state location (and which setting chose it), actor')
            [CompletionResult]::new('release', 'release', [CompletionResultType]::ParameterValue, 'Record and inspect releases (create, list, show)')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Record deployments run by an external CI (start, finish)')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the release captain: promote, deploy, verify, bake, supersede and roll back')
            [CompletionResult]::new('next', 'next', [CompletionResultType]::ParameterValue, 'Which release to deploy into STAGE now, or none and why')
            [CompletionResult]::new('gate', 'gate', [CompletionResultType]::ParameterValue, 'May a deployment into STAGE start now? Exit 0 if so, 3 if not (the output says why)')
            [CompletionResult]::new('bake', 'bake', [CompletionResultType]::ParameterValue, 'Bake a stage an external CI deploys: record its approval once the bake is over, or its failure')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Deploy the release that failed in a stage again, after a transient failure (a missing script, a killed runner, a flaky step)')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Pass an external approval step of a deployment in progress')
            [CompletionResult]::new('reject', 'reject', [CompletionResultType]::ParameterValue, 'Fail an external approval step of a deployment in progress (fails the release in its stage, and rolls back where auto-rollback is on)')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'The captured output of a deployment''s deploy command and approval steps, with captain''s own notes (`captain:` lines), oldest first')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'The pipeline at a glance: per wave, stage and environment, the current release, its state, a deployment in progress, the release waiting to be promoted, and locks')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Deployment history of an environment, newest first: deployment, when, outcome, commits added and removed ("+5 −2"), and commit range')
            [CompletionResult]::new('where', 'where', [CompletionResultType]::ParameterValue, 'Where a commit is: the first release containing it, the deployment that first brought it to each environment, and the environments where it is and is not deployed now')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Compare two releases or environments: what replacing A by B changes')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Delivery metrics of a window, from the ledger alone: deployment success rate (M1), lead time for changes per commit with a histogram (M2), change failure rate (M3), time to recovery (M4), time to detect (M5), promotion time between stages (M7), pipeline duration (M8), rollbacks per 100 deployments (M10), audit completeness (M12), and the four DORA keys with their performance band')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Roll environments back to an older release, after a preview')
            [CompletionResult]::new('freeze', 'freeze', [CompletionResultType]::ParameterValue, 'Freeze the pipeline, a stage, an environment or a wave: nothing is promoted or started there until it is lifted (or until --until)')
            [CompletionResult]::new('unfreeze', 'unfreeze', [CompletionResultType]::ParameterValue, 'Lift an emergency freeze of the pipeline, a stage, an environment or a wave')
            [CompletionResult]::new('promotions', 'promotions', [CompletionResultType]::ParameterValue, 'Disable or enable promotions into and out of stages and environments (list, disable, enable)')
            [CompletionResult]::new('pipeline', 'pipeline', [CompletionResultType]::ParameterValue, 'The pipeline''s definition as a team server holds it (push, show, history, diff)')
            [CompletionResult]::new('state', 'state', [CompletionResultType]::ParameterValue, 'Export or import the whole ledger as versioned JSON Lines')
            [CompletionResult]::new('override', 'override', [CompletionResultType]::ParameterValue, 'Let deployments start into a stage or an environment although its blocker (an alarm expression such as an organisation-wide event) is in ALARM — for a while, with a reason that is recorded and audited. `captain run`, `next`, `gate` and `deploy start` honour it')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Run the pipeline in virtual time with synthetic releases, deploy and test durations and injected failures; report how long a commit takes to reach each wave and environment (median, p90) and where releases queue or are superseded')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Show audit events, newest first: every change to the ledger with its actor (on a team server, the token''s name), time and reason')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'Print the ledger''s events, oldest first, as JSON Lines: one object per change (release created, deployment started/approved/failed, rollback, lock set/lifted, release blocked, …) with its `event` name, its `id` (`PIPELINE:SEQ`, the same on every read, for dropping duplicates) and the audit record (`seq`, `at`, `actor`, `action`, `target`, `reason`, `details`). With --follow, keeps printing new events as they are recorded until interrupted; a reader that stops reading (`| head`) ends it quietly')
            [CompletionResult]::new('notify', 'notify', [CompletionResultType]::ParameterValue, 'Notifications to [[notify]] targets: their deliveries and parked events (status, retry, deliver)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the team server: the ledger of every pipeline as an HTTP/JSON API for the CLI, CI jobs and runbooks (`--state https://…` on the client side)')
            [CompletionResult]::new('ui', 'ui', [CompletionResultType]::ParameterValue, 'Open the pipeline in a browser: the read-only web pages of `captain serve` (the pipeline, each environment''s history, releases, commit search, the audit log) over this pipeline''s ledger, updating by themselves while the tab is open')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'API tokens of the team server (create, list, revoke)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages (captain.1 and one per subcommand) into a directory')
            [CompletionResult]::new('schemas', 'schemas', [CompletionResultType]::ParameterValue, 'Write the JSON Schema of every --output json view into a directory (one file per view, e.g. status.json; the same files as the project''s schemas/)')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'A self-contained tour for a newcomer: a sandbox git repository and pipeline in a temporary directory, several releases deployed to local directories (a new directory and a symlink switch per deployment), a failed test run, an alarm and a rollback, then status, history and where. Touches nothing outside the temporary directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'captain;init' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--template', '--template', [CompletionResultType]::ParameterName, 'The template (see --list)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List the templates and exit')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;validate' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;plan' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;config' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;release' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Record an immutable release of a commit (CI, after a build)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List releases, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one release: its commit, artifacts, commits and dependencies, and what it changed')
            [CompletionResult]::new('block', 'block', [CompletionResultType]::ParameterValue, 'Block a bad release everywhere: it is never promoted or deployed again')
            [CompletionResult]::new('unblock', 'unblock', [CompletionResultType]::ParameterValue, 'Lift the block of a release, so it may be promoted again')
            [CompletionResult]::new('expedite', 'expedite', [CompletionResultType]::ParameterValue, 'Ask to expedite an urgent release: once approved, it is deployed by the pipeline''s [expedite] rules')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve expediting a release (`captain release expedite`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'captain;release;create' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--commit', '--commit', [CompletionResultType]::ParameterName, 'The commit to release (default: GITHUB_SHA, CI_COMMIT_SHA, … then HEAD)')
            [CompletionResult]::new('--artifact', '--artifact', [CompletionResultType]::ParameterName, 'An artifact of the release, NAME=REF (an image digest, an object key); repeatable')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why the hotfix cannot wait for the trunk (recorded with the release and audited)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--hotfix', '--hotfix', [CompletionResultType]::ParameterName, 'Release a commit that is not on the trunk branch (a hotfix); needs --reason')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;release;list' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most this many')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;release;show' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;release;block' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (required): shown wherever the release is refused, and kept in the audit log')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--rollback', '--rollback', [CompletionResultType]::ParameterName, 'Also roll back the environments running it (preview, then confirmation or --yes)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;release;unblock' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (required): kept in the audit log')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;release;expedite' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why it cannot wait (required): shown to the approvers, kept in the audit log')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;release;approve' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (kept in the audit log)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;release;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'create')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'list')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'show')
            [CompletionResult]::new('block', 'block', [CompletionResultType]::ParameterValue, 'block')
            [CompletionResult]::new('unblock', 'unblock', [CompletionResultType]::ParameterValue, 'unblock')
            [CompletionResult]::new('expedite', 'expedite', [CompletionResultType]::ParameterValue, 'expedite')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'approve')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'captain;release;help;create' {
            break
        }
        'captain;release;help;list' {
            break
        }
        'captain;release;help;show' {
            break
        }
        'captain;release;help;block' {
            break
        }
        'captain;release;help;unblock' {
            break
        }
        'captain;release;help;expedite' {
            break
        }
        'captain;release;help;approve' {
            break
        }
        'captain;release;help;help' {
            break
        }
        'captain;deploy' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Record the start of a deployment run by an external CI')
            [CompletionResult]::new('finish', 'finish', [CompletionResultType]::ParameterValue, 'Record how a deployment ended')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'captain;deploy;start' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'The release being deployed, e.g. v12')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (required with --force; recorded in the audit log)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--rollback', '--rollback', [CompletionResultType]::ParameterName, 'This deployment puts an older release back (a rollback)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Skip the approval, lock and ordering checks (needs --reason)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;deploy;finish' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--outcome', '--outcome', [CompletionResultType]::ParameterName, 'How it ended')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (required with --force; recorded in the audit log)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Record the outcome now, skipping the rest of the stage''s approval steps and its bake (needs --reason; audited)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;deploy;help' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'start')
            [CompletionResult]::new('finish', 'finish', [CompletionResultType]::ParameterValue, 'finish')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'captain;deploy;help;start' {
            break
        }
        'captain;deploy;help;finish' {
            break
        }
        'captain;deploy;help;help' {
            break
        }
        'captain;run' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Seconds between passes while nothing runs (fractions allowed)')
            [CompletionResult]::new('--metrics-listen', '--metrics-listen', [CompletionResultType]::ParameterName, 'Serve `GET /metrics` (the Prometheus text format, as `captain serve` does) for this loop on ADDR: HOST:PORT, or a port on 127.0.0.1. No token on loopback; any other address needs CAPTAIN_METRICS_TOKEN, the bearer token Prometheus sends')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'One round, for cron or CI: pass until nothing moves and the commands this run started have finished, hand what still bakes to the next round, then exit (6 when a deployment failed in this round)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;next' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--preview', '--preview', [CompletionResultType]::ParameterName, 'Also show what the release would change in the stage''s environments')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;gate' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;bake' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'The release to ask about (default: the one the stage works on)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'With --wait, seconds between looks at the alarm and the data points')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'With --wait, give up (exit 3) after this long, e.g. 2h')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Watch for the rest of the bake (and while the stage still deploys or verifies)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;retry' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why it is worth another try (required; recorded in the audit log)')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'The release to retry (default: the newest that failed in the stage)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;approve' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--step', '--step', [CompletionResultType]::ParameterName, 'The external step''s name, as in pipeline.toml')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (recorded in the audit log)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;reject' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--step', '--step', [CompletionResultType]::ParameterName, 'The external step''s name, as in pipeline.toml')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (required; recorded in the audit log)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;logs' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;status' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Seconds between redraws with --watch')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Redraw every few seconds until interrupted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;history' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most this many deployments')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only deployments since a time (2026-11-01, an RFC 3339 time, or a duration back from now such as 2d)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;where' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;diff' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;metrics' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'The window''s start: a duration back from now (30d, 90d), a date (2026-11-01) or an RFC 3339 time')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Only this stage''s environments')
            [CompletionResult]::new('--wave', '--wave', [CompletionResultType]::ParameterName, 'Only this wave''s environments')
            [CompletionResult]::new('--environment', '--environment', [CompletionResultType]::ParameterName, 'Only this environment')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;rollback' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The release to go back to, e.g. v12 (default: the last approved one before the current)')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why: shown on the promotion locks and kept in the audit log')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--pick', '--pick', [CompletionResultType]::ParameterName, 'Choose the release from a list of earlier releases (needs a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the preview and change nothing')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Allow a target that was never approved in an environment')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;freeze' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (required): shown wherever a start is refused, and kept in the audit log')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'When it ends by itself: a duration (2h, 1day) or a time in the pipeline''s time zone (2026-12-21T18:00; 2026-12-21 is the end of that day; or with an offset, 2026-12-21T18:00:00Z). Default: until `captain unfreeze`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;unfreeze' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (required): kept in the audit log')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;promotions' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the locks in force: who disabled promotions into or out of what, when and why')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Disable promotions into and/or out of environments, stages or waves')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Enable promotions again, so the next approved release flows in')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'captain;promotions;list' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;promotions;disable' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--direction', '--direction', [CompletionResultType]::ParameterName, 'Which promotions: into the targets, out of them, or both')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (required): shown by `captain promotions list` and kept in the audit log')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;promotions;enable' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--direction', '--direction', [CompletionResultType]::ParameterName, 'Which promotions: into the targets, out of them, or both')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (kept in the audit log)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;promotions;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'list')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'disable')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'enable')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'captain;promotions;help;list' {
            break
        }
        'captain;promotions;help;disable' {
            break
        }
        'captain;promotions;help;enable' {
            break
        }
        'captain;promotions;help;help' {
            break
        }
        'captain;pipeline' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Register the local pipeline.toml as the pipeline''s next definition (an operator''s)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a registered definition (default: the newest)')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List the registered versions of the definition, newest first')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show how the local pipeline.toml differs from a registered definition (default: the newest)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'captain;pipeline;push' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (recorded in the audit log)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;pipeline;show' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Which version')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;pipeline;history' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;pipeline;diff' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Which version')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;pipeline;help' {
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'push')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'show')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'history')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'diff')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'captain;pipeline;help;push' {
            break
        }
        'captain;pipeline;help;show' {
            break
        }
        'captain;pipeline;help;history' {
            break
        }
        'captain;pipeline;help;diff' {
            break
        }
        'captain;pipeline;help;help' {
            break
        }
        'captain;state' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the whole ledger as versioned JSON Lines to stdout (backups, moving to a team server). The format is documented in the README')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Load a ledger export from stdin, all or nothing')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'captain;state;export' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;state;import' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--merge', '--merge', [CompletionResultType]::ParameterName, 'Add to a ledger that already holds records (records already present are skipped)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;state;help' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'export')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'import')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'captain;state;help;export' {
            break
        }
        'captain;state;help;import' {
            break
        }
        'captain;state;help;help' {
            break
        }
        'captain;override' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (required; kept in the audit log)')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'How long the override stays in force (e.g. 30m, 2h)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;simulate' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'How much time to simulate (e.g. 30d, 12w)')
            [CompletionResult]::new('--merges-per-day', '--merges-per-day', [CompletionResultType]::ParameterName, 'Merges to main (new releases) per day, spread over the --merge-hours')
            [CompletionResult]::new('--merge-hours', '--merge-hours', [CompletionResultType]::ParameterName, 'When people merge, in the pipeline''s time zone: days and hours as in a window (`mon-fri 09:00-17:00`, `mon-sun`), or `always` for around the clock')
            [CompletionResult]::new('--deploy-time', '--deploy-time', [CompletionResultType]::ParameterName, 'How long one deploy command takes')
            [CompletionResult]::new('--step-time', '--step-time', [CompletionResultType]::ParameterName, 'How long one approval step takes')
            [CompletionResult]::new('--bad-releases', '--bad-releases', [CompletionResultType]::ParameterName, 'Share of releases that carry a bad change (0 to 1)')
            [CompletionResult]::new('--catch-pre-production', '--catch-pre-production', [CompletionResultType]::ParameterName, 'Chance that a pre-production stage catches a bad release that reaches it')
            [CompletionResult]::new('--catch-one-box', '--catch-one-box', [CompletionResultType]::ParameterName, 'Chance that a one-box stage (its name says `onebox`) catches a bad release')
            [CompletionResult]::new('--catch-zonal', '--catch-zonal', [CompletionResultType]::ParameterName, 'Chance that any other production (zonal) stage catches a bad release')
            [CompletionResult]::new('--flakes', '--flakes', [CompletionResultType]::ParameterName, 'Chance that one deployment fails on its own, whatever its release (0 to 1)')
            [CompletionResult]::new('--data-points-per-hour', '--data-points-per-hour', [CompletionResultType]::ParameterName, 'Bake data points gathered per hour in each environment')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the random failures and merge times (the same seed gives the same report)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'What if: simulate the pipeline with PATH=VALUE changed as well, and show it next to the pipeline as written (`waves.wave-1.wave_bake_time=6h`, `production.window.days=mon-fri`, `stages.gamma.bake_time=0s`); repeatable. In an array (`waves`, `stages`) a part of the path picks the entry by its name')
            [CompletionResult]::new('--plot', '--plot', [CompletionResultType]::ParameterName, 'Draw, for each wave, the share of commits that reached it against the time since their merge, as an SVG file (of the pipeline as written)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--environments', '--environments', [CompletionResultType]::ParameterName, 'Show every environment, not only the waves and stages')
            [CompletionResult]::new('--expedite', '--expedite', [CompletionResultType]::ParameterName, 'Expedite every release (as if `captain release expedite` were approved for each): the time to every region by the pipeline''s [expedite] rules')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;audit' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--environment', '--environment', [CompletionResultType]::ParameterName, 'Only events about this environment (its deployments, rollbacks and locks)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Only events by this actor')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most this many events')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;events' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events after this: a duration before now (`1h`, `2d`), a time (RFC 3339), or an event''s `seq` (`120`: the events after event 120)')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Resume after this `cursor` (from an earlier line)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'With --follow: how often to look for new events')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep running and print new events as they are recorded')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep running and print new events as they are recorded')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;notify' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Each [[notify]] target''s place in the event log, its failures, and the events it parked after too many failed deliveries')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Send parked events again now, oldest first: each delivered one is forgotten, each that fails stays parked with the new error (exit 1)')
            [CompletionResult]::new('deliver', 'deliver', [CompletionResultType]::ParameterValue, 'Deliver what the targets have not had yet, once, for at most --timeout (for cron; `captain run` and `captain serve` deliver continuously)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'captain;notify;status' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;notify;retry' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only this target''s parked events')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;notify;deliver' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'The longest this may take')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;notify;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'status')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'retry')
            [CompletionResult]::new('deliver', 'deliver', [CompletionResultType]::ParameterValue, 'deliver')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'captain;notify;help;status' {
            break
        }
        'captain;notify;help;retry' {
            break
        }
        'captain;notify;help;deliver' {
            break
        }
        'captain;notify;help;help' {
            break
        }
        'captain;serve' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--database', '--database', [CompletionResultType]::ParameterName, 'Where the ledgers live: sqlite:DIR (one file per pipeline in DIR) or postgres://…')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'The address to listen on (port 0 picks a free port, printed on start)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve HTTPS with this PEM certificate chain (with --tls-key)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The PEM private key of --tls-cert')
            [CompletionResult]::new('--bootstrap-token-file', '--bootstrap-token-file', [CompletionResultType]::ParameterName, 'When no token exists yet, create the admin token `admin` and write its secret here (mode 0600)')
            [CompletionResult]::new('--auth-db', '--auth-db', [CompletionResultType]::ParameterName, 'With sqlite:DIR: keep tokens in this SQLite file (default: DIR/server.sqlite). With postgres://… they live in the database itself, and this is refused')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Store calls that run at once; more requests wait their turn in the order they came, so under load each waits about as long as the others (default: twice the CPUs, at least 4)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'With --run: seconds between passes while nothing moves (fractions allowed)')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Connections open at once; one more is closed as it arrives (default: three quarters of the open-files limit, between 16 and 10000)')
            [CompletionResult]::new('--header-timeout', '--header-timeout', [CompletionResultType]::ParameterName, 'Seconds a connection has to send a request''s headers, from when it opened or answered its last request (an idle keep-alive connection is closed after it)')
            [CompletionResult]::new('--body-timeout', '--body-timeout', [CompletionResultType]::ParameterName, 'Seconds a request has to send its whole body (else 408)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Seconds a request''s handler has to answer (else 503 with Retry-After)')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Seconds a connection may stay with no byte moving either way before it is closed (longer than --request-timeout)')
            [CompletionResult]::new('--db-pool-size', '--db-pool-size', [CompletionResultType]::ParameterName, 'With PostgreSQL: connections of the one pool all pipelines and the server''s own tables share')
            [CompletionResult]::new('--acquire-timeout', '--acquire-timeout', [CompletionResultType]::ParameterName, 'Seconds a request waits for a database connection, or a heavy read for its turn, before it is 503 with Retry-After')
            [CompletionResult]::new('--db-connect-timeout', '--db-connect-timeout', [CompletionResultType]::ParameterName, 'With PostgreSQL: seconds opening a connection may take (unless the URL sets connect_timeout). Connections use TCP keepalive (first probe after 30 s idle)')
            [CompletionResult]::new('--db-statement-timeout', '--db-statement-timeout', [CompletionResultType]::ParameterName, 'With PostgreSQL: seconds a statement may run (its statement_timeout)')
            [CompletionResult]::new('--heavy-reads', '--heavy-reads', [CompletionResultType]::ParameterName, 'Heavy reads (exports, history and audit scans, release lists) running at once, in a lane of their own: however many wait, writes keep their turns')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--log-json', '--log-json', [CompletionResultType]::ParameterName, 'Request logs as JSON lines')
            [CompletionResult]::new('--run', '--run', [CompletionResultType]::ParameterName, 'Also drive the `captain run` loop of each pipeline given with --pipeline (repeat it per pipeline). With PostgreSQL, replicas sharing the database take turns: one drives a pipeline at a time (a PostgreSQL advisory lock), another takes over when it dies')
            [CompletionResult]::new('--trust-client-clock', '--trust-client-clock', [CompletionResultType]::ParameterName, 'For tests only: decide bakes, windows and freezes with the time each client sends (CAPTAIN_NOW) instead of the server''s clock. Never in production: a client could then end a bake early')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;ui' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'The address to listen on (port 0 picks a free port)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'Open the page in the default browser (xdg-open, open)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;token' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an API token and print its secret, once (it is stored only hashed)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the tokens (never their secrets)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token: the server refuses it from now on')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'captain;token;create' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'What the token may do')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (recorded in the audit log)')
            [CompletionResult]::new('--limit-to', '--limit-to', [CompletionResultType]::ParameterName, 'Limit the token to this pipeline (repeat for several); without it the token reaches every pipeline. Requests for any other pipeline are refused (403, exit 1)')
            [CompletionResult]::new('--idempotency-key', '--idempotency-key', [CompletionResultType]::ParameterName, 'The idempotency key of this creation: running the same command again with the same key (within a day) prints the same token and secret instead of failing. Without it a fresh key still covers the command''s own retries')
            [CompletionResult]::new('--database', '--database', [CompletionResultType]::ParameterName, 'Work on the server''s database directly instead of through the server (sqlite:DIR or postgres://…)')
            [CompletionResult]::new('--auth-db', '--auth-db', [CompletionResultType]::ParameterName, 'With --database: the SQLite file holding the tokens, if not the default')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--delegate', '--delegate', [CompletionResultType]::ParameterName, 'Let the token record the actor its client names (CI''s GITHUB_ACTOR) instead of the token''s name')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;token;list' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--database', '--database', [CompletionResultType]::ParameterName, 'Work on the server''s database directly instead of through the server (sqlite:DIR or postgres://…)')
            [CompletionResult]::new('--auth-db', '--auth-db', [CompletionResultType]::ParameterName, 'With --database: the SQLite file holding the tokens, if not the default')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;token;revoke' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (recorded in the audit log)')
            [CompletionResult]::new('--database', '--database', [CompletionResultType]::ParameterName, 'Work on the server''s database directly instead of through the server (sqlite:DIR or postgres://…)')
            [CompletionResult]::new('--auth-db', '--auth-db', [CompletionResultType]::ParameterName, 'With --database: the SQLite file holding the tokens, if not the default')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;token;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'create')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'list')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'revoke')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'captain;token;help;create' {
            break
        }
        'captain;token;help;list' {
            break
        }
        'captain;token;help;revoke' {
            break
        }
        'captain;token;help;help' {
            break
        }
        'captain;completions' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;man' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;schemas' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;demo' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The git repository (default: the one around the current directory)')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Where the ledger lives: a SQLite file path, or a team server''s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user''s data directory')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust when talking to a team server over HTTPS')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of views and results')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json (not with --output: one format at a time)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print results only: no status messages or progress')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (also: the NO_COLOR environment variable)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts)')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Keep the temporary directory and print its path, to look around afterwards')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'captain;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'init')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'validate')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'plan')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'config')
            [CompletionResult]::new('release', 'release', [CompletionResultType]::ParameterValue, 'Record and inspect releases (create, list, show)')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Record deployments run by an external CI (start, finish)')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'run')
            [CompletionResult]::new('next', 'next', [CompletionResultType]::ParameterValue, 'next')
            [CompletionResult]::new('gate', 'gate', [CompletionResultType]::ParameterValue, 'gate')
            [CompletionResult]::new('bake', 'bake', [CompletionResultType]::ParameterValue, 'bake')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'retry')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'approve')
            [CompletionResult]::new('reject', 'reject', [CompletionResultType]::ParameterValue, 'reject')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'logs')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'status')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'history')
            [CompletionResult]::new('where', 'where', [CompletionResultType]::ParameterValue, 'where')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'diff')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'metrics')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'rollback')
            [CompletionResult]::new('freeze', 'freeze', [CompletionResultType]::ParameterValue, 'freeze')
            [CompletionResult]::new('unfreeze', 'unfreeze', [CompletionResultType]::ParameterValue, 'unfreeze')
            [CompletionResult]::new('promotions', 'promotions', [CompletionResultType]::ParameterValue, 'Disable or enable promotions into and out of stages and environments (list, disable, enable)')
            [CompletionResult]::new('pipeline', 'pipeline', [CompletionResultType]::ParameterValue, 'The pipeline''s definition as a team server holds it (push, show, history, diff)')
            [CompletionResult]::new('state', 'state', [CompletionResultType]::ParameterValue, 'Export or import the whole ledger as versioned JSON Lines')
            [CompletionResult]::new('override', 'override', [CompletionResultType]::ParameterValue, 'override')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'simulate')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'audit')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'events')
            [CompletionResult]::new('notify', 'notify', [CompletionResultType]::ParameterValue, 'Notifications to [[notify]] targets: their deliveries and parked events (status, retry, deliver)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'serve')
            [CompletionResult]::new('ui', 'ui', [CompletionResultType]::ParameterValue, 'ui')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'API tokens of the team server (create, list, revoke)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'completions')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'man')
            [CompletionResult]::new('schemas', 'schemas', [CompletionResultType]::ParameterValue, 'schemas')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'demo')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'captain;help;init' {
            break
        }
        'captain;help;validate' {
            break
        }
        'captain;help;plan' {
            break
        }
        'captain;help;config' {
            break
        }
        'captain;help;release' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'create')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'list')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'show')
            [CompletionResult]::new('block', 'block', [CompletionResultType]::ParameterValue, 'block')
            [CompletionResult]::new('unblock', 'unblock', [CompletionResultType]::ParameterValue, 'unblock')
            [CompletionResult]::new('expedite', 'expedite', [CompletionResultType]::ParameterValue, 'expedite')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'approve')
            break
        }
        'captain;help;release;create' {
            break
        }
        'captain;help;release;list' {
            break
        }
        'captain;help;release;show' {
            break
        }
        'captain;help;release;block' {
            break
        }
        'captain;help;release;unblock' {
            break
        }
        'captain;help;release;expedite' {
            break
        }
        'captain;help;release;approve' {
            break
        }
        'captain;help;deploy' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'start')
            [CompletionResult]::new('finish', 'finish', [CompletionResultType]::ParameterValue, 'finish')
            break
        }
        'captain;help;deploy;start' {
            break
        }
        'captain;help;deploy;finish' {
            break
        }
        'captain;help;run' {
            break
        }
        'captain;help;next' {
            break
        }
        'captain;help;gate' {
            break
        }
        'captain;help;bake' {
            break
        }
        'captain;help;retry' {
            break
        }
        'captain;help;approve' {
            break
        }
        'captain;help;reject' {
            break
        }
        'captain;help;logs' {
            break
        }
        'captain;help;status' {
            break
        }
        'captain;help;history' {
            break
        }
        'captain;help;where' {
            break
        }
        'captain;help;diff' {
            break
        }
        'captain;help;metrics' {
            break
        }
        'captain;help;rollback' {
            break
        }
        'captain;help;freeze' {
            break
        }
        'captain;help;unfreeze' {
            break
        }
        'captain;help;promotions' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'list')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'disable')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'enable')
            break
        }
        'captain;help;promotions;list' {
            break
        }
        'captain;help;promotions;disable' {
            break
        }
        'captain;help;promotions;enable' {
            break
        }
        'captain;help;pipeline' {
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'push')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'show')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'history')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'diff')
            break
        }
        'captain;help;pipeline;push' {
            break
        }
        'captain;help;pipeline;show' {
            break
        }
        'captain;help;pipeline;history' {
            break
        }
        'captain;help;pipeline;diff' {
            break
        }
        'captain;help;state' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'export')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'import')
            break
        }
        'captain;help;state;export' {
            break
        }
        'captain;help;state;import' {
            break
        }
        'captain;help;override' {
            break
        }
        'captain;help;simulate' {
            break
        }
        'captain;help;audit' {
            break
        }
        'captain;help;events' {
            break
        }
        'captain;help;notify' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'status')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'retry')
            [CompletionResult]::new('deliver', 'deliver', [CompletionResultType]::ParameterValue, 'deliver')
            break
        }
        'captain;help;notify;status' {
            break
        }
        'captain;help;notify;retry' {
            break
        }
        'captain;help;notify;deliver' {
            break
        }
        'captain;help;serve' {
            break
        }
        'captain;help;ui' {
            break
        }
        'captain;help;token' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'create')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'list')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'revoke')
            break
        }
        'captain;help;token;create' {
            break
        }
        'captain;help;token;list' {
            break
        }
        'captain;help;token;revoke' {
            break
        }
        'captain;help;completions' {
            break
        }
        'captain;help;man' {
            break
        }
        'captain;help;schemas' {
            break
        }
        'captain;help;demo' {
            break
        }
        'captain;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
