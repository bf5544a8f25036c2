#!/usr/bin/env bash
# One fixed-rate run of the real publisher and subscriber (Native AOT binaries of a source tree) against a private
# redis-server, for comparing two trees side by side on the same machine a minute apart, which bench/run.sh's
# figures from different runs cannot do (the machine's load moves them more than most changes).
#
#   bench/side-by-side.sh TREE PATTERN RATE COUNT [NAME=VALUE...]
#   e.g. for i in 1 2 3; do for t in /tmp/before .; do bench/side-by-side.sh $t queue 1000 10000; done; done
#
# TREE needs its binaries published (scripts/aot.sh Subscriber Publisher in it). Prints the subscriber's final
# latency p50/p99, its CPU per message and its threads' voluntary context switches (wake-ups) per message, counted
# from one second after it is consuming to the end of the run. NAME=VALUE pairs go to both services' environment.
set -euo pipefail
tree="$(cd "$1" && pwd)"; pattern="$2"; rate="$3"; count="$4"; shift 4
binary() { echo "$tree/$1/bin/Release/net10.0/linux-x64/publish/PubSubDemo.$1"; }
for service in Subscriber Publisher; do
  [[ -x "$(binary $service)" ]] || { echo "side-by-side: $(binary $service) is missing: run scripts/aot.sh Subscriber Publisher in $tree" >&2; exit 2; }
done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work="$(mktemp -d)"
trap 'kill "${server:-}" "${subscriber:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 &
server=$!
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done

export REDIS_ADDR="127.0.0.1:$port" PATTERN="$pattern" CHANNEL=side-by-side QUEUE=side-by-side STREAM=side-by-side \
  LOG_MESSAGES=false SUMMARY_INTERVAL=1h
env "$@" "$(binary Subscriber)" >"$work/subscriber.log" 2>&1 &
subscriber=$!
for _ in $(seq 1 200); do grep -q "Subscribed\|Consuming" "$work/subscriber.log" && break; sleep 0.05; done
sleep 1
cpu() { awk '{print $14 + $15}' "/proc/$subscriber/stat"; }
wakeups() { cat /proc/"$subscriber"/task/*/status | awk '/^voluntary_ctxt_switches/ {s += $2} END {print s}'; }
cpu0=$(cpu); wake0=$(wakeups)
env "$@" PUBLISH_RATE="$rate" MESSAGE_COUNT="$count" "$(binary Publisher)" >"$work/publisher.log" 2>&1
sleep 0.5
cpu1=$(cpu); wake1=$(wakeups)
kill -TERM "$subscriber"; wait "$subscriber" || true
ticks=$(getconf CLK_TCK)
summary=$(grep "Final summary" "$work/subscriber.log" | grep -v "no messages" | head -1 | grep -o "received [0-9]*\|latency p50 [0-9.]* ms, p99 [0-9.]* ms" | tr '\n' ' ')
awk -v t="$tree" -v s="$summary" -v c=$((cpu1 - cpu0)) -v w=$((wake1 - wake0)) -v n="$count" -v hz="$ticks" \
  'BEGIN { printf "%s: %s| subscriber CPU %.1f us/msg, %.1f wake-ups/msg\n", t, s, c * 1e6 / hz / n, w / n }'
