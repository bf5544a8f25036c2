#!/usr/bin/env bash
# The tests: every test project in the solution, against real servers where a test needs one.
#
#   scripts/test.sh                                   all tests
#   scripts/test.sh --filter "FullyQualifiedName~Queue"   extra arguments go to dotnet test
#
# Installs what the tests use when it is missing (redis-server, valkey-server from bookworm-backports, docker-compose,
# chromium, gcc and zlib1g-dev for the Native AOT test), runs dotnet test with a TRX logger, then runs the
# suites that start their own servers (VALKEY_SUITES) again against Valkey (PUBSUBDEMO_TEST_SERVER=valkey), and ends
# with one line summed over every TRX file: "N passed, N failed[, N skipped]".
#
#   SERVER_RUNS="redis"                               only Redis (default "redis valkey garnet": Garnet runs the
#                                                     channel and queue cases, a 117 MB dotnet tool, 580 MB installed)
# Exits non-zero when the build fails, a test fails, or no test ran.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RESULTS_DIR="${RESULTS_DIR:-$ROOT/TestResults}"
# A hung test would otherwise hold CI until its own time limit; this ends it with a clear message.
TEST_HANG_TIMEOUT="${TEST_HANG_TIMEOUT:-10m}"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { echo "test: $*" >&2; }

as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# Debian packages the tests rely on: redis-server for a real server on loopback, docker-compose to validate
# the compose file offline. apt-get update runs once, and only when something is missing.
ensure_packages() {
    local missing=() backports=()
    command -v redis-server >/dev/null && command -v redis-cli >/dev/null || missing+=(redis-server)
    command -v docker-compose >/dev/null || missing+=(docker-compose)
    # The monitor's page test opens it in a real headless browser; fonts so the screenshot has text.
    command -v chromium >/dev/null || missing+=(chromium fonts-dejavu-core)
    # The Native AOT test links the published services with gcc against zlib (Directory.Build.props).
    { command -v gcc >/dev/null && command -v g++ >/dev/null; } || missing+=(build-essential)
    [[ -e /usr/include/zlib.h ]] || missing+=(zlib1g-dev)
    # The outbox and inbox tests start a PostgreSQL server of their own (tests/PubSubDemo.Testing/PostgresServer.cs).
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
    # Valkey 8 is in Debian bookworm's backports only: the suites run a second time against it.
    { command -v valkey-server >/dev/null && command -v valkey-cli >/dev/null; } || backports+=(valkey-server valkey-tools)
    ((${#missing[@]} + ${#backports[@]} == 0)) && return 0
    ((${#backports[@]} == 0)) || add_backports
    log "installing ${missing[*]} ${backports[*]}"
    as_root apt-get update -qq
    if ((${#missing[@]} > 0)); then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    if ((${#backports[@]} > 0)); then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t bookworm-backports "${backports[@]}" >/dev/null
    fi
}

# The bookworm-backports suite from the mirror the machine already uses (its URIs and Signed-By in debian.sources),
# unless some source already names it. Idempotent: a second run finds the file it wrote.
add_backports() {
    local sources=/etc/apt/sources.list.d/debian.sources uris signed
    grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ && return 0
    uris="$(awk '/^URIs:/ && !found { print; found = 1 }' "$sources" 2>/dev/null)"
    signed="$(awk '/^Signed-By:/ && !found { print; found = 1 }' "$sources" 2>/dev/null)"
    [[ -n "$uris" ]] || uris="URIs: http://deb.debian.org/debian"
    [[ -n "$signed" ]] || signed="Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
    log "adding bookworm-backports ($uris) for valkey-server"
    printf 'Types: deb\n%s\nSuites: bookworm-backports\nComponents: main\n%s\n' "$uris" "$signed" \
        | as_root tee /etc/apt/sources.list.d/pubsubdemo-backports.sources >/dev/null
}

# Sums one attribute of the <Counters> element over every TRX file of this run.
sum_counter() {
    local name="$1" total=0 value file
    for file in "$RESULTS_DIR"/*.trx; do
        [[ -e "$file" ]] || continue
        value="$(grep -o '<Counters [^>]*>' "$file" | grep -o " $name=\"[0-9]*\"" | grep -o '[0-9]\+' || true)"
        total=$((total + ${value:-0}))
    done
    echo "$total"
}

ensure_packages

# Only this run's TRX files may be summed.
mkdir -p "$RESULTS_DIR"
rm -f "$RESULTS_DIR"/*.trx

# Build once, then run the test projects one after another: the fault and monitor tests start servers and
# processes and measure time, so running them beside each other on a small machine only makes them flaky.
# One TRX file per project, named after it, so no result can overwrite another.
# Then the suites that start their own servers run again against Valkey, each into <project>.valkey.trx, and the
# channel and queue cases against Garnet (<project>.garnet.trx).
status=0
SERVER_RUNS="${SERVER_RUNS:-redis valkey garnet}"
VALKEY_SUITES="${VALKEY_SUITES:-PubSubDemo.IntegrationTests PubSubDemo.FaultTests PubSubDemo.ClusterTests PubSubDemo.TrustTests PubSubDemo.LibraryTests}"

# run_project PROJECT TRX-NAME [dotnet test arguments]
run_project() {
    local project="$1" trx="$2"
    shift 2
    dotnet test "$project" -c Release --no-build \
        --logger "trx;LogFileName=$trx.trx" \
        --results-directory "$RESULTS_DIR" \
        --blame-hang-timeout "$TEST_HANG_TIMEOUT" --blame-hang-dump-type none \
        "$@" || status=$?
}

# Garnet has no streams and no cluster here, so only the integration suite's channel and queue cases run on it
# (GARNET_FILTER), with Lua on; the tool is installed into .tools/garnet once. 2.2.13: 2.2.12's LPOP with a count
# answers a bare string for one item inside a script, which stops the queue's take (ListReplyConformanceTests).
GARNET_VERSION="${GARNET_VERSION:-2.2.13}"
# The classes and cases without a stream variant (a theory that also runs PATTERN=stream is left out whole).
GARNET_FILTER="${GARNET_FILTER:-FullyQualifiedName~PubSubTests|FullyQualifiedName~TopicTests|FullyQualifiedName~ShopScenarioTests|FullyQualifiedName~QueueTests|FullyQualifiedName~PatternTests|FullyQualifiedName~LateServerTests|FullyQualifiedName~ForeignMessageTests|FullyQualifiedName~ServiceProcessTests|FullyQualifiedName~ServerProbeTests|FullyQualifiedName~ListReplyConformanceTests|FullyQualifiedName~DedupeTests.On_the_channel|FullyQualifiedName~DedupeTests.Without_DEDUPE|FullyQualifiedName~DedupeTests.An_effect_the_server_refuses|FullyQualifiedName~DelayedMessageTests.A_delayed_channel|FullyQualifiedName~RedriveTests.A_dry_run|FullyQualifiedName~RedriveTests.Bad_arguments|FullyQualifiedName~PartitionTests.A_queue_of_three|FullyQualifiedName~PartitionTests.MESSAGE_KEY|FullyQualifiedName~PartitionTests.A_subscriber_serving_fewer|FullyQualifiedName~FilterAndRateTests.A_subscriber_stopped}"
run_garnet() {
    local tools="$ROOT/.tools/garnet"
    if [[ ! -d "$tools/.store/garnet-server/$GARNET_VERSION" ]]; then
        log "installing garnet-server $GARNET_VERSION (dotnet tool) into $tools"
        rm -rf "$tools"
        dotnet tool install garnet-server --version "$GARNET_VERSION" --tool-path "$tools" >/dev/null || { status=1; return; }
    fi
    log "running PubSubDemo.IntegrationTests ($GARNET_FILTER) against garnet-server"
    PUBSUBDEMO_TEST_SERVER=garnet PUBSUBDEMO_GARNET="$tools/garnet-server" \
        run_project tests/PubSubDemo.IntegrationTests/PubSubDemo.IntegrationTests.csproj PubSubDemo.IntegrationTests.garnet --filter "$GARNET_FILTER"
}

dotnet build PubSubDemo.sln -c Release -nologo -clp:ErrorsOnly || status=$?
if ((status == 0)); then
    for project in tests/*/*.csproj; do
        name="$(basename "$project" .csproj)"
        grep -q '<IsTestProject>true</IsTestProject>\|Microsoft.NET.Test.Sdk' "$project" || continue
        log "running $name"
        PUBSUBDEMO_TEST_SERVER=redis run_project "$project" "$name" "$@"
    done
    if [[ " $SERVER_RUNS " == *" valkey "* && -z "${PUBSUBDEMO_TEST_REDIS:-}" ]]; then
        for name in $VALKEY_SUITES; do
            log "running $name against valkey-server"
            PUBSUBDEMO_TEST_SERVER=valkey run_project "tests/$name/$name.csproj" "$name.valkey" "$@"
        done
    fi
    # Garnet's run has its own --filter, so it is left out when arguments for dotnet test were given.
    if [[ " $SERVER_RUNS " == *" garnet "* && -z "${PUBSUBDEMO_TEST_REDIS:-}" ]]; then
        if (($# == 0)); then run_garnet; else log "not running the Garnet cases: arguments were given ($*)"; fi
    fi
fi

# The hang detector leaves an empty folder per test run.
find "$RESULTS_DIR" -mindepth 1 -maxdepth 1 -type d -empty -delete 2>/dev/null || true

passed="$(sum_counter passed)"
# A test that errored, timed out or was aborted did not pass either.
failed=$(($(sum_counter failed) + $(sum_counter error) + $(sum_counter timeout) + $(sum_counter aborted)))
# xunit's skipped tests count in total but not in executed (notExecuted stays 0).
skipped=$(($(sum_counter total) - $(sum_counter executed)))
total="$(sum_counter total)"

if ((status != 0)); then
    log "dotnet test exited with code $status"
elif ((total == 0)); then
    log "no test ran"
    status=1
elif ((failed > 0)); then
    status=1
fi

summary="$passed passed, $failed failed"
((skipped > 0)) && summary+=", $skipped skipped"
echo "$summary"
exit "$status"
