#!/usr/bin/env bash
# The demo: one publisher and SUBSCRIBERS (default 3) subscribers against one server, until Ctrl-C.
#
#   scripts/demo.sh                          DragonFly under Docker Compose when an engine runs,
#                                            otherwise a private redis-server on a free loopback port
#   REDIS_ADDR=host:6379 scripts/demo.sh     use that server, run the services from source
#   PATTERN=queue SUBSCRIBERS=2 DEMO_DURATION=20 scripts/demo.sh
#   DEMO_AOT=1 scripts/demo.sh               publish and run the Native AOT binaries (a minute or two per service
#                                            the first time); by default the services run on the JIT unless
#                                            their binaries are already published and current
#   scripts/demo.sh --scenario shop          seed 001's shop: an order service publishing on `order`, a shipping
#                                            service on `shipment`, a shipping consumer on `order` and a
#                                            notification service on `order,shipment` (pub/sub, CHANNEL lists)
#   scripts/demo.sh --scenario orders        issue 22's outbox and inbox (samples/Orders): an order service saving
#                                            orders with their OrderPlaced in one transaction, a stock service
#                                            reserving stock once per order, on an SQLite file in a temp dir; always
#                                            a private redis-server (or REDIS_ADDR), never Docker. ORDER_RATE (5/s),
#                                            ORDER_COUNT (0 = until stopped), ORDERS_DB pass through
#
# Every variable the services read (PATTERN, CHANNEL, QUEUE, PUBLISH_INTERVAL, ...) passes through.
# DEMO_DURATION=N stops the demo by itself after N seconds, as Ctrl-C would.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SCENARIO=default
while (($# > 0)); do
    case "$1" in
        --scenario) SCENARIO="${2:-}"; shift 2 || shift ;;
        --scenario=*) SCENARIO="${1#--scenario=}"; shift ;;
        -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "demo: unknown argument '$1'; use --scenario shop, --scenario orders, or none" >&2; exit 2 ;;
    esac
done
if [[ "$SCENARIO" != default && "$SCENARIO" != shop && "$SCENARIO" != orders ]]; then
    echo "demo: --scenario '$SCENARIO' is not known; use shop or orders (or leave it out for the default demo)" >&2
    exit 2
fi

SUBSCRIBERS="${SUBSCRIBERS:-3}"
DEMO_DURATION="${DEMO_DURATION:-}"
MONITOR_PORT="${MONITOR_PORT:-8080}"
# The services finish within 15 s of SIGTERM; past this they are killed.
STOP_GRACE_SECONDS=20

if ! [[ "$SUBSCRIBERS" =~ ^[1-9][0-9]*$ ]]; then
    echo "demo: SUBSCRIBERS='$SUBSCRIBERS' is not a positive whole number" >&2
    exit 2
fi
if [[ -n "$DEMO_DURATION" && ! "$DEMO_DURATION" =~ ^[1-9][0-9]*$ ]]; then
    echo "demo: DEMO_DURATION='$DEMO_DURATION' is not a positive number of seconds" >&2
    exit 2
fi

log() { echo "demo: $*" >&2; }

# ---------------------------------------------------------------------------------------------------------------
# With a Docker engine and no server named, the compose file is the demo: DragonFly plus the built images.
# ---------------------------------------------------------------------------------------------------------------
# The orders scenario runs from source here (its compose profile is started by hand: docker compose --profile orders, README).
if [[ -z "${REDIS_ADDR:-}" && "$SCENARIO" != orders ]] && docker info >/dev/null 2>&1; then
    if docker compose version >/dev/null 2>&1; then
        compose=(docker compose)
    else
        compose=(docker-compose)
    fi
    up=("${compose[@]}" up --build --scale "subscriber=$SUBSCRIBERS")
    if [[ "$SCENARIO" == shop ]]; then
        # Only the shop's services (and the server and the monitor), not the default publisher and subscribers.
        up=("${compose[@]}" --profile shop up --build dragonfly monitor order-service shipping-service shipping-consumer notification-service)
    fi
    log "monitor: http://localhost:${MONITOR_PORT} (once the images are up)"
    if [[ -n "$DEMO_DURATION" ]]; then
        # SIGINT is what Ctrl-C sends: compose then stops every container gracefully.
        timeout --signal=INT --kill-after=$((STOP_GRACE_SECONDS + 10)) "$DEMO_DURATION" "${up[@]}" || true
        exec "${compose[@]}" down
    fi
    exec "${up[@]}"
fi

# ---------------------------------------------------------------------------------------------------------------
# Without an engine: the services run on the JIT (or as Native AOT binaries already published), against REDIS_ADDR
# or a private redis-server.
# ---------------------------------------------------------------------------------------------------------------
as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/pubsubdemo.XXXXXX")"
REDIS_PORT=""
REDIS_PID=""
TIMER_PID=""
PIPELINES=()   # one background pipeline per service: the service, then the prefixing sed
NAMES=()

# Stops the services (publisher first, so the subscribers' closing summaries include its last messages),
# waits for their final summaries to be printed, then stops the private server. Runs once, on any exit.
cleanup() {
    set +e        # a failing step (even a log line to a closed pipe) must not skip the ones after it
    trap - INT TERM EXIT
    trap '' INT   # a second Ctrl-C must not cut the services' shutdown short
    local i
    if ((${#PIPELINES[@]} > 0)); then
        log "stopping the services (up to ${STOP_GRACE_SECONDS}s)"
        signal_service 0 TERM
        wait_service 0 $((SECONDS + STOP_GRACE_SECONDS))
        local deadline=$((SECONDS + STOP_GRACE_SECONDS))
        for ((i = 1; i < ${#PIPELINES[@]}; i++)); do signal_service "$i" TERM; done
        for ((i = 1; i < ${#PIPELINES[@]}; i++)); do wait_service "$i" "$deadline"; done
    fi
    if [[ -n "$REDIS_PID" ]]; then
        log "stopping redis-server on port $REDIS_PORT"
        redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill -TERM "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
    fi
    if [[ -n "$TIMER_PID" ]]; then kill "$TIMER_PID" 2>/dev/null || true; fi
    rm -rf "$RUN_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# When the reader of our output goes (a `| tee` killed by the same Ctrl-C), carry on and still clean up.
trap '' PIPE

service_pid() { cat "$RUN_DIR/${NAMES[$1]}.pid" 2>/dev/null || true; }

signal_service() {
    local pid
    pid="$(service_pid "$1")"
    if [[ -n "$pid" ]]; then kill "-$2" "$pid" 2>/dev/null || true; fi
}

# Waits until the deadline (in $SECONDS) for a service's pipeline, so its last lines are out; then kills it.
wait_service() {
    local pipeline="${PIPELINES[$1]}" deadline="$2"
    while kill -0 "$pipeline" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pipeline" 2>/dev/null; then
        log "${NAMES[$1]} did not stop within ${STOP_GRACE_SECONDS}s; killing it"
        signal_service "$1" KILL
    fi
    wait "$pipeline" 2>/dev/null || true
}

# start_service NAME PROGRAM [VAR=value ...] [-- ARG ...]
# Starts one service with its output prefixed by its padded name. The service runs in its own session
# (setsid), so Ctrl-C reaches only this script, which then stops everything in order; the subshell and
# sed ignore SIGINT so the service's closing summary still gets printed.
start_service() {
    local name="$1" dll="$2"
    shift 2
    local prefix
    prefix="$(printf '%-12s | ' "$name")"
    local settings=() arguments=()
    while (($# > 0)) && [[ "$1" != -- ]]; do settings+=("$1"); shift; done
    if (($# > 0)); then shift; arguments=("$@"); fi
    (
        trap '' INT
        # A dll runs on the JIT (dotnet); anything else is a Native AOT binary.
        if [[ "$dll" == *.dll ]]; then program=(setsid dotnet "$dll"); else program=(setsid "$dll"); fi
        env "${settings[@]}" "${program[@]}" "${arguments[@]}" </dev/null 2>&1 &
        echo $! >"$RUN_DIR/$name.pid"
        status=0
        wait $! || status=$?
        # 143 is 128 + SIGTERM: a service that ends by the signal instead of handling it still counts as stopped.
        if ((status != 0 && status != 143)); then echo "exited with code $status"; fi
    ) | (trap '' INT; exec sed -u "s/^/$prefix/") &
    PIPELINES+=($!)
    NAMES+=("$name")
}

find_free_port() {
    local port
    for ((port = 16379; port < 16479; port++)); do
        # A refused connection means nothing listens there.
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

start_private_redis() {
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
        log "installing redis-server"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    fi
    REDIS_PORT="$(find_free_port)" || { log "no free port in 16379-16478"; exit 1; }
    # A throwaway server: loopback only, nothing saved, its own session so Ctrl-C does not stop it
    # before the services have drained.
    setsid redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
        --dir "$RUN_DIR" --logfile "$RUN_DIR/redis.log" </dev/null &
    REDIS_PID=$!
    local deadline=$((SECONDS + 10))
    until redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; do
        if ! kill -0 "$REDIS_PID" 2>/dev/null || ((SECONDS >= deadline)); then
            log "redis-server did not answer on port $REDIS_PORT; its log:"
            cat "$RUN_DIR/redis.log" >&2 || true
            exit 1
        fi
        sleep 0.1
    done
    export REDIS_ADDR="127.0.0.1:$REDIS_PORT"
    log "private redis-server $(redis-server --version | grep -o 'v=[^ ]*') on $REDIS_ADDR"
}

if ! command -v dotnet >/dev/null; then
    log "dotnet is not on PATH; install the .NET 10 SDK or run under Docker"
    exit 1
fi

if [[ -z "${REDIS_ADDR:-}" ]]; then
    start_private_redis
else
    log "using the server at REDIS_ADDR=$REDIS_ADDR"
fi

if [[ "$SCENARIO" == orders ]]; then
    # samples/Orders on the JIT (EF Core is not AOT clean): one build, then the two roles of its one dll on a fresh
    # SQLite file. The order service comes first in the list, so cleanup stops it first and the stock service's
    # closing summary shows the last orders reserved.
    log "building samples/Orders (JIT)"
    if ! dotnet build samples/Orders/Orders.csproj -c Release -nologo -clp:ErrorsOnly -v quiet >&2; then
        log "the build failed"
        exit 1
    fi
    ORDERS_DLL="$ROOT/samples/Orders/bin/Release/net10.0/PubSubDemo.Orders.dll"
    export ORDERS_DB="${ORDERS_DB:-$RUN_DIR/orders.db}"
    log "orders database: $ORDERS_DB"
    start_service order-service "$ORDERS_DLL" -- order-service
    start_service stock-service "$ORDERS_DLL" -- stock-service
    if [[ -n "$DEMO_DURATION" ]]; then
        log "running for ${DEMO_DURATION}s"
        sleep "$DEMO_DURATION" &
        TIMER_PID=$!
        wait "$TIMER_PID" || true
    else
        log "running; Ctrl-C stops it"
        wait "${PIPELINES[@]}" || true
    fi
    exit 0
fi

# One JIT build of the three services, so the first message comes within a minute or so on a fresh machine: a Native
# AOT publish takes a minute or two per service on 2 cores, and nothing should wait for it. Binaries that are already
# published and current run instead; DEMO_AOT=1 publishes what is missing first (scripts/aot.sh).
declare -A PROGRAM
if [[ "${DEMO_AOT:-0}" == 1 ]]; then
    log "preparing the publisher, the subscriber and the monitor (Native AOT, DEMO_AOT=1)"
    aot_args=()
else
    log "building the publisher, the subscriber and the monitor (JIT; DEMO_AOT=1 runs Native AOT binaries)"
    aot_args=(--no-publish)
fi
if ! services="$(scripts/aot.sh "${aot_args[@]}" Publisher Subscriber Monitor)"; then
    log "the build failed"
    exit 1
fi
while read -r service path; do PROGRAM[$service]="$path"; done <<<"$services"
for service in Publisher Subscriber Monitor; do
    if [[ "${PROGRAM[$service]}" == *.dll ]]; then log "$service runs on the JIT: ${PROGRAM[$service]}"; else log "$service runs as a Native AOT binary: ${PROGRAM[$service]}"; fi
done
PUBLISHER_DLL="${PROGRAM[Publisher]}"
SUBSCRIBER_DLL="${PROGRAM[Subscriber]}"
MONITOR_DLL="${PROGRAM[Monitor]}"

if [[ "$SCENARIO" == shop ]]; then
    # Seed 001's shop, as the compose profile `shop` runs it: two topics, two producers, two consumers. The
    # publishers come first in the list, so cleanup stops the order service first; the consumers get the last word.
    export PATTERN=pubsub
    start_service order-service "$PUBLISHER_DLL" INSTANCE_NAME=order-service CHANNEL=order PUBLISH_INTERVAL="${ORDER_INTERVAL:-1s}"
    start_service shipping-service "$PUBLISHER_DLL" INSTANCE_NAME=shipping-service CHANNEL=shipment PUBLISH_INTERVAL="${SHIPMENT_INTERVAL:-2s}"
    start_service shipping-consumer "$SUBSCRIBER_DLL" INSTANCE_NAME=shipping-consumer CHANNEL=order
    start_service notification-service "$SUBSCRIBER_DLL" INSTANCE_NAME=notification-service CHANNEL=order,shipment
else
    # Readable, distinct names: each subscriber is also a distinct consumer in the queue and stream patterns.
    start_service publisher "$PUBLISHER_DLL" INSTANCE_NAME=publisher
    for ((n = 1; n <= SUBSCRIBERS; n++)); do
        start_service "subscriber-$n" "$SUBSCRIBER_DLL" INSTANCE_NAME="subscriber-$n"
    done
fi
start_service monitor "$MONITOR_DLL" MONITOR_PORT="$MONITOR_PORT"
log "monitor: http://localhost:$MONITOR_PORT"

if [[ -n "$DEMO_DURATION" ]]; then
    log "running for ${DEMO_DURATION}s (PATTERN=${PATTERN:-both})"
    sleep "$DEMO_DURATION" &
    TIMER_PID=$!
    wait "$TIMER_PID" || true
else
    log "running (PATTERN=${PATTERN:-both}); Ctrl-C stops it"
    wait "${PIPELINES[@]}" || true
fi
