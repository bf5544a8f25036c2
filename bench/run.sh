#!/usr/bin/env bash
# The benchmark: the server's own limit (redis-benchmark) and the real publisher and subscribers, in one run,
# on one private redis-server, then the same services on a private 3-node Redis Cluster, so every figure is measured
# on the same machine at the same time.
#
#   ./bench/run.sh                   full run (about 10 minutes on 2 cores)
#   ./bench/run.sh --quick           smoke run (about 3.5 minutes once built)
#   ./bench/run.sh --message-size 1024   pad message content to 1 KiB (redis-benchmark sends the same bytes)
#   ./bench/run.sh --outbox          only the outbox and inbox section (about 3 minutes; results in the run folder)
#
# Writes bench/results/latest.md, latest.json and latency.png; logs of every process go to a temporary folder
# named in the first line of output. Exits non-zero when a run failed (not when a target was missed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { echo "bench: $*" >&2; }

as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# redis-server, redis-benchmark and redis-cli from Debian; fonts for the plot's text.
ensure_packages() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-benchmark >/dev/null && command -v redis-cli >/dev/null || missing+=(redis-tools)
  { command -v fc-list >/dev/null && [[ -n "$(fc-list 2>/dev/null | head -1)" ]]; } || missing+=(fontconfig fonts-dejavu-core)
  # The reference publisher and consumers (bench/reference) run on Debian's python3 with its redis client.
  /usr/bin/python3 -c 'import redis' 2>/dev/null || missing+=(python3-redis)
  # The outbox section (issue 22) starts a PostgreSQL server of its own with pg_ctl, as the postgres user under root.
  compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || missing+=(postgresql)
  ((${#missing[@]} == 0)) && return 0
  log "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Others may build the same tree at the same time: a locked file is retried, a compile error is not.
build() {
  local project="$1" attempt output
  for attempt in 1 2 3 4 5; do
    if output="$(dotnet build "$project" -c Release -v quiet -nologo 2>&1)"; then
      return 0
    fi
    if grep -qiE 'being used by another process|locked|MSB3021|MSB3026|MSB3027' <<<"$output" && ((attempt < 5)); then
      log "build of $project hit a locked file; retrying"
      sleep $((attempt * 3))
      continue
    fi
    echo "$output" >&2
    return 1
  done
}

ensure_packages
log "building the publisher, the subscriber and the benchmark (Release)"
# The benchmark project references both services, the bare reference subscriber and the outbox section's program, so this one build brings them up to date.
build bench/PubSubDemo.Bench/PubSubDemo.Bench.csproj

# The outbox section alone runs only bench/PubSubDemo.OutboxBench (on the JIT), built above: nothing to publish.
if [[ " $* " == *" --outbox "* ]]; then
  exec dotnet bench/PubSubDemo.Bench/bin/Release/net10.0/PubSubDemo.Bench.dll --root "$ROOT" "$@"
fi

# The services run as Native AOT binaries, published when missing or stale; scripts/aot.sh falls back to the JIT
# dlls with a logged line when the native link is not possible here.
while read -r service path; do
  case "$service" in
    Publisher) export BENCH_PUBLISHER="$path" ;;
    Subscriber) export BENCH_SUBSCRIBER="$path" ;;
  esac
done < <(scripts/aot.sh Publisher Subscriber)

# The bare reference subscriber runs as Native AOT too, so ours and it compare without either paying the JIT; when
# the publish is not possible here its JIT dll runs (the report says which).
bare=bench/PubSubDemo.BareSubscriber/bin/Release/net10.0/linux-x64/publish/PubSubDemo.BareSubscriber
if [[ ! -x "$bare" || -n "$(find bench/PubSubDemo.BareSubscriber Directory.Build.props Directory.Packages.props \( -name bin -o -name obj \) -prune -o -type f -newer "$bare" -print -quit)" ]]; then
  log "publishing the bare reference subscriber (Native AOT)"
  dotnet publish bench/PubSubDemo.BareSubscriber/PubSubDemo.BareSubscriber.csproj -c Release -r linux-x64 -nologo -v quiet >"${TMPDIR:-/tmp}/aot-bare.log" 2>&1 \
    || log "the bare subscriber's Native AOT publish failed (see ${TMPDIR:-/tmp}/aot-bare.log); it runs on the JIT"
fi
[[ -x "$bare" ]] && export BENCH_BARE_SUBSCRIBER="$ROOT/$bare"

exec dotnet bench/PubSubDemo.Bench/bin/Release/net10.0/PubSubDemo.Bench.dll --root "$ROOT" "$@"
