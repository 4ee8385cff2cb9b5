# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_captain_global_optspecs
    string join \n repo= pipeline= state= ca-file= output= json q/quiet no-color y/yes h/help V/version
end

function __fish_captain_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_captain_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_captain_using_subcommand
    set -l cmd (__fish_captain_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c captain -n "__fish_captain_needs_command" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_needs_command" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_needs_command" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_needs_command" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_needs_command" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_needs_command" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_needs_command" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_needs_command" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_needs_command" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_needs_command" -s V -l version -d 'Print version'
complete -c captain -n "__fish_captain_needs_command" -f -a "init" -d 'Write a starter pipeline.toml. In a terminal, choose the template from a list; otherwise name it with --template'
complete -c captain -n "__fish_captain_needs_command" -f -a "validate" -d 'Check pipeline.toml and report every problem at once, each with file, line and column and, for a misspelt name, the name you probably meant'
complete -c captain -n "__fish_captain_needs_command" -f -a "plan" -d 'Show the expanded pipeline: waves → stages → environments, with each stage\'s effective bake time (and, on a wave\'s last stage, the wave\'s own bake that follows it), window, alarms and auto-rollback; then the freezes written in pipeline.toml, in the pipeline\'s time zone, with the stages each holds'
complete -c captain -n "__fish_captain_needs_command" -f -a "config" -d 'Show the settings in effect: repository, pipeline file, state location (and which setting chose it), actor'
complete -c captain -n "__fish_captain_needs_command" -f -a "release" -d 'Record and inspect releases (create, list, show)'
complete -c captain -n "__fish_captain_needs_command" -f -a "deploy" -d 'Record deployments run by an external CI (start, finish)'
complete -c captain -n "__fish_captain_needs_command" -f -a "run" -d 'Run the release captain: promote, deploy, verify, bake, supersede and roll back'
complete -c captain -n "__fish_captain_needs_command" -f -a "next" -d 'Which release to deploy into STAGE now, or none and why'
complete -c captain -n "__fish_captain_needs_command" -f -a "gate" -d 'May a deployment into STAGE start now? Exit 0 if so, 3 if not (the output says why)'
complete -c captain -n "__fish_captain_needs_command" -f -a "bake" -d 'Bake a stage an external CI deploys: record its approval once the bake is over, or its failure'
complete -c captain -n "__fish_captain_needs_command" -f -a "retry" -d 'Deploy the release that failed in a stage again, after a transient failure (a missing script, a killed runner, a flaky step)'
complete -c captain -n "__fish_captain_needs_command" -f -a "approve" -d 'Pass an external approval step of a deployment in progress'
complete -c captain -n "__fish_captain_needs_command" -f -a "reject" -d 'Fail an external approval step of a deployment in progress (fails the release in its stage, and rolls back where auto-rollback is on)'
complete -c captain -n "__fish_captain_needs_command" -f -a "logs" -d 'The captured output of a deployment\'s deploy command and approval steps, with captain\'s own notes (`captain:` lines), oldest first'
complete -c captain -n "__fish_captain_needs_command" -f -a "status" -d 'The pipeline at a glance: per wave, stage and environment, the current release, its state, a deployment in progress, the release waiting to be promoted, and locks'
complete -c captain -n "__fish_captain_needs_command" -f -a "history" -d 'Deployment history of an environment, newest first: deployment, when, outcome, commits added and removed ("+5 −2"), and commit range'
complete -c captain -n "__fish_captain_needs_command" -f -a "where" -d 'Where a commit is: the first release containing it, the deployment that first brought it to each environment, and the environments where it is and is not deployed now'
complete -c captain -n "__fish_captain_needs_command" -f -a "diff" -d 'Compare two releases or environments: what replacing A by B changes'
complete -c captain -n "__fish_captain_needs_command" -f -a "metrics" -d 'Delivery metrics of a window, from the ledger alone: deployment success rate (M1), lead time for changes per commit with a histogram (M2), change failure rate (M3), time to recovery (M4), time to detect (M5), promotion time between stages (M7), pipeline duration (M8), rollbacks per 100 deployments (M10), audit completeness (M12), and the four DORA keys with their performance band'
complete -c captain -n "__fish_captain_needs_command" -f -a "rollback" -d 'Roll environments back to an older release, after a preview'
complete -c captain -n "__fish_captain_needs_command" -f -a "freeze" -d 'Freeze the pipeline, a stage, an environment or a wave: nothing is promoted or started there until it is lifted (or until --until)'
complete -c captain -n "__fish_captain_needs_command" -f -a "unfreeze" -d 'Lift an emergency freeze of the pipeline, a stage, an environment or a wave'
complete -c captain -n "__fish_captain_needs_command" -f -a "promotions" -d 'Disable or enable promotions into and out of stages and environments (list, disable, enable)'
complete -c captain -n "__fish_captain_needs_command" -f -a "pipeline" -d 'The pipeline\'s definition as a team server holds it (push, show, history, diff)'
complete -c captain -n "__fish_captain_needs_command" -f -a "state" -d 'Export or import the whole ledger as versioned JSON Lines'
complete -c captain -n "__fish_captain_needs_command" -f -a "override" -d 'Let deployments start into a stage or an environment although its blocker (an alarm expression such as an organisation-wide event) is in ALARM — for a while, with a reason that is recorded and audited. `captain run`, `next`, `gate` and `deploy start` honour it'
complete -c captain -n "__fish_captain_needs_command" -f -a "simulate" -d 'Run the pipeline in virtual time with synthetic releases, deploy and test durations and injected failures; report how long a commit takes to reach each wave and environment (median, p90) and where releases queue or are superseded'
complete -c captain -n "__fish_captain_needs_command" -f -a "audit" -d 'Show audit events, newest first: every change to the ledger with its actor (on a team server, the token\'s name), time and reason'
complete -c captain -n "__fish_captain_needs_command" -f -a "events" -d 'Print the ledger\'s events, oldest first, as JSON Lines: one object per change (release created, deployment started/approved/failed, rollback, lock set/lifted, release blocked, …) with its `event` name, its `id` (`PIPELINE:SEQ`, the same on every read, for dropping duplicates) and the audit record (`seq`, `at`, `actor`, `action`, `target`, `reason`, `details`). With --follow, keeps printing new events as they are recorded until interrupted; a reader that stops reading (`| head`) ends it quietly'
complete -c captain -n "__fish_captain_needs_command" -f -a "notify" -d 'Notifications to [[notify]] targets: their deliveries and parked events (status, retry, deliver)'
complete -c captain -n "__fish_captain_needs_command" -f -a "serve" -d 'Run the team server: the ledger of every pipeline as an HTTP/JSON API for the CLI, CI jobs and runbooks (`--state https://…` on the client side)'
complete -c captain -n "__fish_captain_needs_command" -f -a "ui" -d 'Open the pipeline in a browser: the read-only web pages of `captain serve` (the pipeline, each environment\'s history, releases, commit search, the audit log) over this pipeline\'s ledger, updating by themselves while the tab is open'
complete -c captain -n "__fish_captain_needs_command" -f -a "token" -d 'API tokens of the team server (create, list, revoke)'
complete -c captain -n "__fish_captain_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c captain -n "__fish_captain_needs_command" -f -a "man" -d 'Write man pages (captain.1 and one per subcommand) into a directory'
complete -c captain -n "__fish_captain_needs_command" -f -a "schemas" -d 'Write the JSON Schema of every --output json view into a directory (one file per view, e.g. status.json; the same files as the project\'s schemas/)'
complete -c captain -n "__fish_captain_needs_command" -f -a "demo" -d 'A self-contained tour for a newcomer: a sandbox git repository and pipeline in a temporary directory, several releases deployed to local directories (a new directory and a symlink switch per deployment), a failed test run, an alarm and a rollback, then status, history and where. Touches nothing outside the temporary directory'
complete -c captain -n "__fish_captain_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c captain -n "__fish_captain_using_subcommand init" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand init" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand init" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand init" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand init" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand init" -l template -d 'The template (see --list)' -r
complete -c captain -n "__fish_captain_using_subcommand init" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand init" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand init" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand init" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand init" -l list -d 'List the templates and exit'
complete -c captain -n "__fish_captain_using_subcommand init" -l force -d 'Overwrite an existing file'
complete -c captain -n "__fish_captain_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand validate" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand validate" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand validate" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand validate" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand validate" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand validate" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand validate" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand validate" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand validate" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand plan" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand plan" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand plan" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand plan" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand plan" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand plan" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand plan" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand plan" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand plan" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand config" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand config" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand config" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand config" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand config" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand config" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand config" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand config" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand config" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -f -a "create" -d 'Record an immutable release of a commit (CI, after a build)'
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -f -a "list" -d 'List releases, newest first'
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -f -a "show" -d 'Show one release: its commit, artifacts, commits and dependencies, and what it changed'
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -f -a "block" -d 'Block a bad release everywhere: it is never promoted or deployed again'
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -f -a "unblock" -d 'Lift the block of a release, so it may be promoted again'
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -f -a "expedite" -d 'Ask to expedite an urgent release: once approved, it is deployed by the pipeline\'s [expedite] rules'
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -f -a "approve" -d 'Approve expediting a release (`captain release expedite`)'
complete -c captain -n "__fish_captain_using_subcommand release; and not __fish_seen_subcommand_from create list show block unblock expedite approve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from create" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from create" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from create" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from create" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from create" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from create" -l commit -d 'The commit to release (default: GITHUB_SHA, CI_COMMIT_SHA, … then HEAD)' -r
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from create" -l artifact -d 'An artifact of the release, NAME=REF (an image digest, an object key); repeatable' -r
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from create" -l reason -d 'Why the hotfix cannot wait for the trunk (recorded with the release and audited)' -r
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from create" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from create" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from create" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from create" -l hotfix -d 'Release a commit that is not on the trunk branch (a hotfix); needs --reason'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from list" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from list" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from list" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from list" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from list" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from list" -l limit -d 'Show at most this many' -r
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from list" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from list" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from list" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from show" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from show" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from show" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from show" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from show" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from show" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from show" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from show" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from block" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from block" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from block" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from block" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from block" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from block" -l reason -d 'Why (required): shown wherever the release is refused, and kept in the audit log' -r
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from block" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from block" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from block" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from block" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from block" -l rollback -d 'Also roll back the environments running it (preview, then confirmation or --yes)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from block" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from unblock" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from unblock" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from unblock" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from unblock" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from unblock" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from unblock" -l reason -d 'Why (required): kept in the audit log' -r
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from unblock" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from unblock" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from unblock" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from unblock" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from unblock" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from expedite" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from expedite" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from expedite" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from expedite" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from expedite" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from expedite" -l reason -d 'Why it cannot wait (required): shown to the approvers, kept in the audit log' -r
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from expedite" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from expedite" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from expedite" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from expedite" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from expedite" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from approve" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from approve" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from approve" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from approve" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from approve" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from approve" -l reason -d 'Why (kept in the audit log)' -r
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from approve" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from approve" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from approve" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from approve" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from help" -f -a "create"
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from help" -f -a "list"
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from help" -f -a "show"
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from help" -f -a "block"
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from help" -f -a "unblock"
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from help" -f -a "expedite"
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from help" -f -a "approve"
complete -c captain -n "__fish_captain_using_subcommand release; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c captain -n "__fish_captain_using_subcommand deploy; and not __fish_seen_subcommand_from start finish help" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand deploy; and not __fish_seen_subcommand_from start finish help" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand deploy; and not __fish_seen_subcommand_from start finish help" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand deploy; and not __fish_seen_subcommand_from start finish help" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand deploy; and not __fish_seen_subcommand_from start finish help" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand deploy; and not __fish_seen_subcommand_from start finish help" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand deploy; and not __fish_seen_subcommand_from start finish help" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand deploy; and not __fish_seen_subcommand_from start finish help" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand deploy; and not __fish_seen_subcommand_from start finish help" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand deploy; and not __fish_seen_subcommand_from start finish help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand deploy; and not __fish_seen_subcommand_from start finish help" -f -a "start" -d 'Record the start of a deployment run by an external CI'
complete -c captain -n "__fish_captain_using_subcommand deploy; and not __fish_seen_subcommand_from start finish help" -f -a "finish" -d 'Record how a deployment ended'
complete -c captain -n "__fish_captain_using_subcommand deploy; and not __fish_seen_subcommand_from start finish help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from start" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from start" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from start" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from start" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from start" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from start" -l release -d 'The release being deployed, e.g. v12' -r
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from start" -l reason -d 'Why (required with --force; recorded in the audit log)' -r
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from start" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from start" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from start" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from start" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from start" -l rollback -d 'This deployment puts an older release back (a rollback)'
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from start" -l force -d 'Skip the approval, lock and ordering checks (needs --reason)'
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from finish" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from finish" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from finish" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from finish" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from finish" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from finish" -l outcome -d 'How it ended' -r -f -a "approved\t''
deploy-failed\t''
tests-failed\t''
alarm-fired\t''
rolled-back\t''
cancelled\t''"
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from finish" -l reason -d 'Why (required with --force; recorded in the audit log)' -r
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from finish" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from finish" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from finish" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from finish" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from finish" -l force -d 'Record the outcome now, skipping the rest of the stage\'s approval steps and its bake (needs --reason; audited)'
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from finish" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from help" -f -a "start"
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from help" -f -a "finish"
complete -c captain -n "__fish_captain_using_subcommand deploy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c captain -n "__fish_captain_using_subcommand run" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand run" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand run" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand run" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand run" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand run" -l interval -d 'Seconds between passes while nothing runs (fractions allowed)' -r
complete -c captain -n "__fish_captain_using_subcommand run" -l metrics-listen -d 'Serve `GET /metrics` (the Prometheus text format, as `captain serve` does) for this loop on ADDR: HOST:PORT, or a port on 127.0.0.1. No token on loopback; any other address needs CAPTAIN_METRICS_TOKEN, the bearer token Prometheus sends' -r
complete -c captain -n "__fish_captain_using_subcommand run" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand run" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand run" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand run" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand run" -l once -d 'One round, for cron or CI: pass until nothing moves and the commands this run started have finished, hand what still bakes to the next round, then exit (6 when a deployment failed in this round)'
complete -c captain -n "__fish_captain_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand next" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand next" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand next" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand next" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand next" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand next" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand next" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand next" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand next" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand next" -l preview -d 'Also show what the release would change in the stage\'s environments'
complete -c captain -n "__fish_captain_using_subcommand next" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand gate" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand gate" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand gate" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand gate" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand gate" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand gate" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand gate" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand gate" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand gate" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand gate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand bake" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand bake" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand bake" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand bake" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand bake" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand bake" -l release -d 'The release to ask about (default: the one the stage works on)' -r
complete -c captain -n "__fish_captain_using_subcommand bake" -l interval -d 'With --wait, seconds between looks at the alarm and the data points' -r
complete -c captain -n "__fish_captain_using_subcommand bake" -l timeout -d 'With --wait, give up (exit 3) after this long, e.g. 2h' -r
complete -c captain -n "__fish_captain_using_subcommand bake" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand bake" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand bake" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand bake" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand bake" -l wait -d 'Watch for the rest of the bake (and while the stage still deploys or verifies)'
complete -c captain -n "__fish_captain_using_subcommand bake" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand retry" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand retry" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand retry" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand retry" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand retry" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand retry" -l reason -d 'Why it is worth another try (required; recorded in the audit log)' -r
complete -c captain -n "__fish_captain_using_subcommand retry" -l release -d 'The release to retry (default: the newest that failed in the stage)' -r
complete -c captain -n "__fish_captain_using_subcommand retry" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand retry" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand retry" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand retry" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand retry" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand approve" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand approve" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand approve" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand approve" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand approve" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand approve" -l step -d 'The external step\'s name, as in pipeline.toml' -r
complete -c captain -n "__fish_captain_using_subcommand approve" -l reason -d 'Why (recorded in the audit log)' -r
complete -c captain -n "__fish_captain_using_subcommand approve" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand approve" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand approve" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand approve" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand reject" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand reject" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand reject" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand reject" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand reject" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand reject" -l step -d 'The external step\'s name, as in pipeline.toml' -r
complete -c captain -n "__fish_captain_using_subcommand reject" -l reason -d 'Why (required; recorded in the audit log)' -r
complete -c captain -n "__fish_captain_using_subcommand reject" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand reject" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand reject" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand reject" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand reject" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand logs" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand logs" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand logs" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand logs" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand logs" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand logs" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand logs" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand logs" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand logs" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand status" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand status" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand status" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand status" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand status" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand status" -l interval -d 'Seconds between redraws with --watch' -r
complete -c captain -n "__fish_captain_using_subcommand status" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand status" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand status" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand status" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand status" -l watch -d 'Redraw every few seconds until interrupted'
complete -c captain -n "__fish_captain_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand history" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand history" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand history" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand history" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand history" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand history" -l limit -d 'Show at most this many deployments' -r
complete -c captain -n "__fish_captain_using_subcommand history" -l since -d 'Only deployments since a time (2026-11-01, an RFC 3339 time, or a duration back from now such as 2d)' -r
complete -c captain -n "__fish_captain_using_subcommand history" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand history" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand history" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand history" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand where" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand where" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand where" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand where" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand where" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand where" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand where" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand where" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand where" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand where" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand diff" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand diff" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand diff" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand diff" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand diff" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand diff" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand diff" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand diff" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand diff" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand metrics" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand metrics" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand metrics" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand metrics" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand metrics" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand metrics" -l since -d 'The window\'s start: a duration back from now (30d, 90d), a date (2026-11-01) or an RFC 3339 time' -r
complete -c captain -n "__fish_captain_using_subcommand metrics" -l stage -d 'Only this stage\'s environments' -r
complete -c captain -n "__fish_captain_using_subcommand metrics" -l wave -d 'Only this wave\'s environments' -r
complete -c captain -n "__fish_captain_using_subcommand metrics" -l environment -d 'Only this environment' -r
complete -c captain -n "__fish_captain_using_subcommand metrics" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand metrics" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand metrics" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand metrics" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand metrics" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand rollback" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand rollback" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand rollback" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand rollback" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand rollback" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand rollback" -l to -d 'The release to go back to, e.g. v12 (default: the last approved one before the current)' -r
complete -c captain -n "__fish_captain_using_subcommand rollback" -l reason -d 'Why: shown on the promotion locks and kept in the audit log' -r
complete -c captain -n "__fish_captain_using_subcommand rollback" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand rollback" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand rollback" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand rollback" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand rollback" -l pick -d 'Choose the release from a list of earlier releases (needs a terminal)'
complete -c captain -n "__fish_captain_using_subcommand rollback" -l dry-run -d 'Print the preview and change nothing'
complete -c captain -n "__fish_captain_using_subcommand rollback" -l force -d 'Allow a target that was never approved in an environment'
complete -c captain -n "__fish_captain_using_subcommand rollback" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand freeze" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand freeze" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand freeze" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand freeze" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand freeze" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand freeze" -l reason -d 'Why (required): shown wherever a start is refused, and kept in the audit log' -r
complete -c captain -n "__fish_captain_using_subcommand freeze" -l until -d 'When it ends by itself: a duration (2h, 1day) or a time in the pipeline\'s time zone (2026-12-21T18:00; 2026-12-21 is the end of that day; or with an offset, 2026-12-21T18:00:00Z). Default: until `captain unfreeze`' -r
complete -c captain -n "__fish_captain_using_subcommand freeze" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand freeze" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand freeze" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand freeze" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand freeze" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand unfreeze" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand unfreeze" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand unfreeze" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand unfreeze" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand unfreeze" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand unfreeze" -l reason -d 'Why (required): kept in the audit log' -r
complete -c captain -n "__fish_captain_using_subcommand unfreeze" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand unfreeze" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand unfreeze" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand unfreeze" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand unfreeze" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand promotions; and not __fish_seen_subcommand_from list disable enable help" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand promotions; and not __fish_seen_subcommand_from list disable enable help" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand promotions; and not __fish_seen_subcommand_from list disable enable help" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand promotions; and not __fish_seen_subcommand_from list disable enable help" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand promotions; and not __fish_seen_subcommand_from list disable enable help" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand promotions; and not __fish_seen_subcommand_from list disable enable help" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand promotions; and not __fish_seen_subcommand_from list disable enable help" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand promotions; and not __fish_seen_subcommand_from list disable enable help" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand promotions; and not __fish_seen_subcommand_from list disable enable help" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand promotions; and not __fish_seen_subcommand_from list disable enable help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand promotions; and not __fish_seen_subcommand_from list disable enable help" -f -a "list" -d 'List the locks in force: who disabled promotions into or out of what, when and why'
complete -c captain -n "__fish_captain_using_subcommand promotions; and not __fish_seen_subcommand_from list disable enable help" -f -a "disable" -d 'Disable promotions into and/or out of environments, stages or waves'
complete -c captain -n "__fish_captain_using_subcommand promotions; and not __fish_seen_subcommand_from list disable enable help" -f -a "enable" -d 'Enable promotions again, so the next approved release flows in'
complete -c captain -n "__fish_captain_using_subcommand promotions; and not __fish_seen_subcommand_from list disable enable help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from list" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from list" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from list" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from list" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from list" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from list" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from list" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from list" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from disable" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from disable" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from disable" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from disable" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from disable" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from disable" -l direction -d 'Which promotions: into the targets, out of them, or both' -r -f -a "in\t''
out\t''
both\t''"
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from disable" -l reason -d 'Why (required): shown by `captain promotions list` and kept in the audit log' -r
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from disable" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from disable" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from disable" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from disable" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from enable" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from enable" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from enable" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from enable" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from enable" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from enable" -l direction -d 'Which promotions: into the targets, out of them, or both' -r -f -a "in\t''
out\t''
both\t''"
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from enable" -l reason -d 'Why (kept in the audit log)' -r
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from enable" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from enable" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from enable" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from enable" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from help" -f -a "list"
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from help" -f -a "disable"
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from help" -f -a "enable"
complete -c captain -n "__fish_captain_using_subcommand promotions; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and not __fish_seen_subcommand_from push show history diff help" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand pipeline; and not __fish_seen_subcommand_from push show history diff help" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand pipeline; and not __fish_seen_subcommand_from push show history diff help" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand pipeline; and not __fish_seen_subcommand_from push show history diff help" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand pipeline; and not __fish_seen_subcommand_from push show history diff help" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand pipeline; and not __fish_seen_subcommand_from push show history diff help" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and not __fish_seen_subcommand_from push show history diff help" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and not __fish_seen_subcommand_from push show history diff help" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and not __fish_seen_subcommand_from push show history diff help" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and not __fish_seen_subcommand_from push show history diff help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and not __fish_seen_subcommand_from push show history diff help" -f -a "push" -d 'Register the local pipeline.toml as the pipeline\'s next definition (an operator\'s)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and not __fish_seen_subcommand_from push show history diff help" -f -a "show" -d 'Print a registered definition (default: the newest)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and not __fish_seen_subcommand_from push show history diff help" -f -a "history" -d 'List the registered versions of the definition, newest first'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and not __fish_seen_subcommand_from push show history diff help" -f -a "diff" -d 'Show how the local pipeline.toml differs from a registered definition (default: the newest)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and not __fish_seen_subcommand_from push show history diff help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from push" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from push" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from push" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from push" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from push" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from push" -l reason -d 'Why (recorded in the audit log)' -r
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from push" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from push" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from push" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from push" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from push" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from show" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from show" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from show" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from show" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from show" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from show" -l version -d 'Which version' -r
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from show" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from show" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from show" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from history" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from history" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from history" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from history" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from history" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from history" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from history" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from history" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from diff" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from diff" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from diff" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from diff" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from diff" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from diff" -l version -d 'Which version' -r
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from diff" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from diff" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from diff" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from diff" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "push"
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "show"
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "history"
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "diff"
complete -c captain -n "__fish_captain_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c captain -n "__fish_captain_using_subcommand state; and not __fish_seen_subcommand_from export import help" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand state; and not __fish_seen_subcommand_from export import help" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand state; and not __fish_seen_subcommand_from export import help" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand state; and not __fish_seen_subcommand_from export import help" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand state; and not __fish_seen_subcommand_from export import help" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand state; and not __fish_seen_subcommand_from export import help" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand state; and not __fish_seen_subcommand_from export import help" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand state; and not __fish_seen_subcommand_from export import help" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand state; and not __fish_seen_subcommand_from export import help" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand state; and not __fish_seen_subcommand_from export import help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand state; and not __fish_seen_subcommand_from export import help" -f -a "export" -d 'Write the whole ledger as versioned JSON Lines to stdout (backups, moving to a team server). The format is documented in the README'
complete -c captain -n "__fish_captain_using_subcommand state; and not __fish_seen_subcommand_from export import help" -f -a "import" -d 'Load a ledger export from stdin, all or nothing'
complete -c captain -n "__fish_captain_using_subcommand state; and not __fish_seen_subcommand_from export import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from export" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from export" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from export" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from export" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from export" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from export" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from export" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from export" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from import" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from import" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from import" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from import" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from import" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from import" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from import" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from import" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from import" -l merge -d 'Add to a ledger that already holds records (records already present are skipped)'
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from help" -f -a "export"
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from help" -f -a "import"
complete -c captain -n "__fish_captain_using_subcommand state; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c captain -n "__fish_captain_using_subcommand override" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand override" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand override" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand override" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand override" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand override" -l reason -d 'Why (required; kept in the audit log)' -r
complete -c captain -n "__fish_captain_using_subcommand override" -l for -d 'How long the override stays in force (e.g. 30m, 2h)' -r
complete -c captain -n "__fish_captain_using_subcommand override" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand override" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand override" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand override" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand override" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand simulate" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand simulate" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand simulate" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand simulate" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand simulate" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand simulate" -l duration -d 'How much time to simulate (e.g. 30d, 12w)' -r
complete -c captain -n "__fish_captain_using_subcommand simulate" -l merges-per-day -d 'Merges to main (new releases) per day, spread over the --merge-hours' -r
complete -c captain -n "__fish_captain_using_subcommand simulate" -l merge-hours -d 'When people merge, in the pipeline\'s time zone: days and hours as in a window (`mon-fri 09:00-17:00`, `mon-sun`), or `always` for around the clock' -r
complete -c captain -n "__fish_captain_using_subcommand simulate" -l deploy-time -d 'How long one deploy command takes' -r
complete -c captain -n "__fish_captain_using_subcommand simulate" -l step-time -d 'How long one approval step takes' -r
complete -c captain -n "__fish_captain_using_subcommand simulate" -l bad-releases -d 'Share of releases that carry a bad change (0 to 1)' -r
complete -c captain -n "__fish_captain_using_subcommand simulate" -l catch-pre-production -d 'Chance that a pre-production stage catches a bad release that reaches it' -r
complete -c captain -n "__fish_captain_using_subcommand simulate" -l catch-one-box -d 'Chance that a one-box stage (its name says `onebox`) catches a bad release' -r
complete -c captain -n "__fish_captain_using_subcommand simulate" -l catch-zonal -d 'Chance that any other production (zonal) stage catches a bad release' -r
complete -c captain -n "__fish_captain_using_subcommand simulate" -l flakes -d 'Chance that one deployment fails on its own, whatever its release (0 to 1)' -r
complete -c captain -n "__fish_captain_using_subcommand simulate" -l data-points-per-hour -d 'Bake data points gathered per hour in each environment' -r
complete -c captain -n "__fish_captain_using_subcommand simulate" -l seed -d 'Seed of the random failures and merge times (the same seed gives the same report)' -r
complete -c captain -n "__fish_captain_using_subcommand simulate" -l set -d 'What if: simulate the pipeline with PATH=VALUE changed as well, and show it next to the pipeline as written (`waves.wave-1.wave_bake_time=6h`, `production.window.days=mon-fri`, `stages.gamma.bake_time=0s`); repeatable. In an array (`waves`, `stages`) a part of the path picks the entry by its name' -r
complete -c captain -n "__fish_captain_using_subcommand simulate" -l plot -d 'Draw, for each wave, the share of commits that reached it against the time since their merge, as an SVG file (of the pipeline as written)' -r -F
complete -c captain -n "__fish_captain_using_subcommand simulate" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand simulate" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand simulate" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand simulate" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand simulate" -l environments -d 'Show every environment, not only the waves and stages'
complete -c captain -n "__fish_captain_using_subcommand simulate" -l expedite -d 'Expedite every release (as if `captain release expedite` were approved for each): the time to every region by the pipeline\'s [expedite] rules'
complete -c captain -n "__fish_captain_using_subcommand simulate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand audit" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand audit" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand audit" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand audit" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand audit" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand audit" -l environment -d 'Only events about this environment (its deployments, rollbacks and locks)' -r
complete -c captain -n "__fish_captain_using_subcommand audit" -l actor -d 'Only events by this actor' -r
complete -c captain -n "__fish_captain_using_subcommand audit" -l limit -d 'Show at most this many events' -r
complete -c captain -n "__fish_captain_using_subcommand audit" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand audit" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand audit" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand audit" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand audit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand events" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand events" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand events" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand events" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand events" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand events" -l since -d 'Only events after this: a duration before now (`1h`, `2d`), a time (RFC 3339), or an event\'s `seq` (`120`: the events after event 120)' -r
complete -c captain -n "__fish_captain_using_subcommand events" -l after -d 'Resume after this `cursor` (from an earlier line)' -r
complete -c captain -n "__fish_captain_using_subcommand events" -l interval -d 'With --follow: how often to look for new events' -r
complete -c captain -n "__fish_captain_using_subcommand events" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand events" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand events" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand events" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand events" -s f -l follow -d 'Keep running and print new events as they are recorded'
complete -c captain -n "__fish_captain_using_subcommand events" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand notify; and not __fish_seen_subcommand_from status retry deliver help" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand notify; and not __fish_seen_subcommand_from status retry deliver help" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand notify; and not __fish_seen_subcommand_from status retry deliver help" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand notify; and not __fish_seen_subcommand_from status retry deliver help" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand notify; and not __fish_seen_subcommand_from status retry deliver help" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand notify; and not __fish_seen_subcommand_from status retry deliver help" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand notify; and not __fish_seen_subcommand_from status retry deliver help" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand notify; and not __fish_seen_subcommand_from status retry deliver help" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand notify; and not __fish_seen_subcommand_from status retry deliver help" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand notify; and not __fish_seen_subcommand_from status retry deliver help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand notify; and not __fish_seen_subcommand_from status retry deliver help" -f -a "status" -d 'Each [[notify]] target\'s place in the event log, its failures, and the events it parked after too many failed deliveries'
complete -c captain -n "__fish_captain_using_subcommand notify; and not __fish_seen_subcommand_from status retry deliver help" -f -a "retry" -d 'Send parked events again now, oldest first: each delivered one is forgotten, each that fails stays parked with the new error (exit 1)'
complete -c captain -n "__fish_captain_using_subcommand notify; and not __fish_seen_subcommand_from status retry deliver help" -f -a "deliver" -d 'Deliver what the targets have not had yet, once, for at most --timeout (for cron; `captain run` and `captain serve` deliver continuously)'
complete -c captain -n "__fish_captain_using_subcommand notify; and not __fish_seen_subcommand_from status retry deliver help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from status" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from status" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from status" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from status" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from status" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from status" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from status" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from status" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from retry" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from retry" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from retry" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from retry" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from retry" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from retry" -l target -d 'Only this target\'s parked events' -r
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from retry" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from retry" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from retry" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from retry" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from retry" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from deliver" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from deliver" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from deliver" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from deliver" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from deliver" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from deliver" -l timeout -d 'The longest this may take' -r
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from deliver" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from deliver" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from deliver" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from deliver" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from deliver" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from help" -f -a "status"
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from help" -f -a "retry"
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from help" -f -a "deliver"
complete -c captain -n "__fish_captain_using_subcommand notify; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c captain -n "__fish_captain_using_subcommand serve" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand serve" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand serve" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand serve" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand serve" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand serve" -l database -d 'Where the ledgers live: sqlite:DIR (one file per pipeline in DIR) or postgres://…' -r
complete -c captain -n "__fish_captain_using_subcommand serve" -l listen -d 'The address to listen on (port 0 picks a free port, printed on start)' -r
complete -c captain -n "__fish_captain_using_subcommand serve" -l tls-cert -d 'Serve HTTPS with this PEM certificate chain (with --tls-key)' -r -F
complete -c captain -n "__fish_captain_using_subcommand serve" -l tls-key -d 'The PEM private key of --tls-cert' -r -F
complete -c captain -n "__fish_captain_using_subcommand serve" -l bootstrap-token-file -d 'When no token exists yet, create the admin token `admin` and write its secret here (mode 0600)' -r -F
complete -c captain -n "__fish_captain_using_subcommand serve" -l auth-db -d 'With sqlite:DIR: keep tokens in this SQLite file (default: DIR/server.sqlite). With postgres://… they live in the database itself, and this is refused' -r -F
complete -c captain -n "__fish_captain_using_subcommand serve" -l concurrency -d 'Store calls that run at once; more requests wait their turn in the order they came, so under load each waits about as long as the others (default: twice the CPUs, at least 4)' -r
complete -c captain -n "__fish_captain_using_subcommand serve" -l interval -d 'With --run: seconds between passes while nothing moves (fractions allowed)' -r
complete -c captain -n "__fish_captain_using_subcommand serve" -l max-connections -d 'Connections open at once; one more is closed as it arrives (default: three quarters of the open-files limit, between 16 and 10000)' -r
complete -c captain -n "__fish_captain_using_subcommand serve" -l header-timeout -d 'Seconds a connection has to send a request\'s headers, from when it opened or answered its last request (an idle keep-alive connection is closed after it)' -r
complete -c captain -n "__fish_captain_using_subcommand serve" -l body-timeout -d 'Seconds a request has to send its whole body (else 408)' -r
complete -c captain -n "__fish_captain_using_subcommand serve" -l request-timeout -d 'Seconds a request\'s handler has to answer (else 503 with Retry-After)' -r
complete -c captain -n "__fish_captain_using_subcommand serve" -l idle-timeout -d 'Seconds a connection may stay with no byte moving either way before it is closed (longer than --request-timeout)' -r
complete -c captain -n "__fish_captain_using_subcommand serve" -l db-pool-size -d 'With PostgreSQL: connections of the one pool all pipelines and the server\'s own tables share' -r
complete -c captain -n "__fish_captain_using_subcommand serve" -l acquire-timeout -d 'Seconds a request waits for a database connection, or a heavy read for its turn, before it is 503 with Retry-After' -r
complete -c captain -n "__fish_captain_using_subcommand serve" -l db-connect-timeout -d 'With PostgreSQL: seconds opening a connection may take (unless the URL sets connect_timeout). Connections use TCP keepalive (first probe after 30 s idle)' -r
complete -c captain -n "__fish_captain_using_subcommand serve" -l db-statement-timeout -d 'With PostgreSQL: seconds a statement may run (its statement_timeout)' -r
complete -c captain -n "__fish_captain_using_subcommand serve" -l heavy-reads -d 'Heavy reads (exports, history and audit scans, release lists) running at once, in a lane of their own: however many wait, writes keep their turns' -r
complete -c captain -n "__fish_captain_using_subcommand serve" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand serve" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand serve" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand serve" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand serve" -l log-json -d 'Request logs as JSON lines'
complete -c captain -n "__fish_captain_using_subcommand serve" -l run -d 'Also drive the `captain run` loop of each pipeline given with --pipeline (repeat it per pipeline). With PostgreSQL, replicas sharing the database take turns: one drives a pipeline at a time (a PostgreSQL advisory lock), another takes over when it dies'
complete -c captain -n "__fish_captain_using_subcommand serve" -l trust-client-clock -d 'For tests only: decide bakes, windows and freezes with the time each client sends (CAPTAIN_NOW) instead of the server\'s clock. Never in production: a client could then end a bake early'
complete -c captain -n "__fish_captain_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand ui" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand ui" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand ui" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand ui" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand ui" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand ui" -l listen -d 'The address to listen on (port 0 picks a free port)' -r
complete -c captain -n "__fish_captain_using_subcommand ui" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand ui" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand ui" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand ui" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand ui" -l open -d 'Open the page in the default browser (xdg-open, open)'
complete -c captain -n "__fish_captain_using_subcommand ui" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -f -a "create" -d 'Create an API token and print its secret, once (it is stored only hashed)'
complete -c captain -n "__fish_captain_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -f -a "list" -d 'List the tokens (never their secrets)'
complete -c captain -n "__fish_captain_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -f -a "revoke" -d 'Revoke a token: the server refuses it from now on'
complete -c captain -n "__fish_captain_using_subcommand token; and not __fish_seen_subcommand_from create list revoke help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -l role -d 'What the token may do' -r
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -l reason -d 'Why (recorded in the audit log)' -r
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -l limit-to -d 'Limit the token to this pipeline (repeat for several); without it the token reaches every pipeline. Requests for any other pipeline are refused (403, exit 1)' -r
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -l idempotency-key -d 'The idempotency key of this creation: running the same command again with the same key (within a day) prints the same token and secret instead of failing. Without it a fresh key still covers the command\'s own retries' -r
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -l database -d 'Work on the server\'s database directly instead of through the server (sqlite:DIR or postgres://…)' -r
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -l auth-db -d 'With --database: the SQLite file holding the tokens, if not the default' -r -F
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -l delegate -d 'Let the token record the actor its client names (CI\'s GITHUB_ACTOR) instead of the token\'s name'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from list" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from list" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from list" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from list" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from list" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from list" -l database -d 'Work on the server\'s database directly instead of through the server (sqlite:DIR or postgres://…)' -r
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from list" -l auth-db -d 'With --database: the SQLite file holding the tokens, if not the default' -r -F
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from list" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from list" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from list" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from revoke" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from revoke" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from revoke" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from revoke" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from revoke" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from revoke" -l reason -d 'Why (recorded in the audit log)' -r
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from revoke" -l database -d 'Work on the server\'s database directly instead of through the server (sqlite:DIR or postgres://…)' -r
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from revoke" -l auth-db -d 'With --database: the SQLite file holding the tokens, if not the default' -r -F
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from revoke" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from revoke" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from revoke" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from revoke" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "create"
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "list"
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "revoke"
complete -c captain -n "__fish_captain_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c captain -n "__fish_captain_using_subcommand completions" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand completions" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand completions" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand completions" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand completions" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand completions" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand completions" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand completions" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand completions" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand man" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand man" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand man" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand man" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand man" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand man" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand man" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand man" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand man" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand schemas" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand schemas" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand schemas" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand schemas" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand schemas" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand schemas" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand schemas" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand schemas" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand schemas" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand schemas" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand demo" -l repo -d 'The git repository (default: the one around the current directory)' -r -F
complete -c captain -n "__fish_captain_using_subcommand demo" -l pipeline -d 'The pipeline file (default: pipeline.toml at the repository root). `serve --run` takes it once per pipeline to drive' -r -F
complete -c captain -n "__fish_captain_using_subcommand demo" -l state -d 'Where the ledger lives: a SQLite file path, or a team server\'s https:// URL (with CAPTAIN_TOKEN). Default: [state] in pipeline.toml, else `state` in the user config file, else one file per pipeline under the user\'s data directory' -r
complete -c captain -n "__fish_captain_using_subcommand demo" -l ca-file -d 'A PEM file of CA certificates to trust when talking to a team server over HTTPS' -r -F
complete -c captain -n "__fish_captain_using_subcommand demo" -l output -d 'Output format of views and results' -r -f -a "table\t''
json\t''
markdown\t'Release notes for a pull-request comment or a chat message (diff, next --preview, release show, rollback)'"
complete -c captain -n "__fish_captain_using_subcommand demo" -l json -d 'Short for --output json (not with --output: one format at a time)'
complete -c captain -n "__fish_captain_using_subcommand demo" -s q -l quiet -d 'Print results only: no status messages or progress'
complete -c captain -n "__fish_captain_using_subcommand demo" -l no-color -d 'Never colour the output (also: the NO_COLOR environment variable)'
complete -c captain -n "__fish_captain_using_subcommand demo" -s y -l yes -d 'Answer yes to confirmations (for scripts)'
complete -c captain -n "__fish_captain_using_subcommand demo" -l keep -d 'Keep the temporary directory and print its path, to look around afterwards'
complete -c captain -n "__fish_captain_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "init"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "validate"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "plan"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "config"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "release" -d 'Record and inspect releases (create, list, show)'
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "deploy" -d 'Record deployments run by an external CI (start, finish)'
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "run"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "next"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "gate"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "bake"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "retry"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "approve"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "reject"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "logs"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "status"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "history"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "where"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "diff"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "metrics"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "rollback"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "freeze"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "unfreeze"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "promotions" -d 'Disable or enable promotions into and out of stages and environments (list, disable, enable)'
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "pipeline" -d 'The pipeline\'s definition as a team server holds it (push, show, history, diff)'
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "state" -d 'Export or import the whole ledger as versioned JSON Lines'
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "override"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "simulate"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "audit"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "events"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "notify" -d 'Notifications to [[notify]] targets: their deliveries and parked events (status, retry, deliver)'
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "serve"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "ui"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "token" -d 'API tokens of the team server (create, list, revoke)'
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "completions"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "man"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "schemas"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "demo"
complete -c captain -n "__fish_captain_using_subcommand help; and not __fish_seen_subcommand_from init validate plan config release deploy run next gate bake retry approve reject logs status history where diff metrics rollback freeze unfreeze promotions pipeline state override simulate audit events notify serve ui token completions man schemas demo help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from release" -f -a "create"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from release" -f -a "list"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from release" -f -a "show"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from release" -f -a "block"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from release" -f -a "unblock"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from release" -f -a "expedite"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from release" -f -a "approve"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from deploy" -f -a "start"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from deploy" -f -a "finish"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from promotions" -f -a "list"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from promotions" -f -a "disable"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from promotions" -f -a "enable"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "push"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "show"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "history"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "diff"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from state" -f -a "export"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from state" -f -a "import"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from notify" -f -a "status"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from notify" -f -a "retry"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from notify" -f -a "deliver"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "create"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "list"
complete -c captain -n "__fish_captain_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "revoke"
