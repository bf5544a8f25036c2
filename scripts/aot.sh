#!/usr/bin/env bash
# Publishes the services as Native AOT binaries when missing or older than their sources, for the demo and the
# benchmark. Prints one line per service on stdout: "Service path-to-run", where the path is the native binary,
# or, when the AOT publish is not possible here (no gcc, no zlib1g-dev, a failed link), the JIT build's dll
# (built if needed) with a logged line saying so, so the caller still runs.
#
#   scripts/aot.sh Publisher Subscriber Monitor
#   scripts/aot.sh --no-publish Publisher Subscriber Monitor   the binary only where it is already published and
#                                                              current; the others on the JIT, built together in one
#                                                              build (scripts/services.slnf), so nothing waits for a publish
#
# The binaries are the default publish output: <Service>/bin/Release/net10.0/linux-x64/publish/PubSubDemo.<Service>.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { echo "aot: $*" >&2; }

PUBLISH=1
if [[ "${1:-}" == --no-publish ]]; then
    PUBLISH=0
    shift
fi

# True when something the service is built from changed after the binary was written.
stale() {
    local binary="$1" service="$2"
    [[ ! -x "$binary" ]] && return 0
    [[ -n "$(find "$service" Shared Directory.Build.props Directory.Packages.props \
        \( -name bin -o -name obj \) -prune -o -type f -newer "$binary" -print -quit)" ]]
}

# The JIT build of the services that will not run as binaries, all in one build: Shared is compiled once and the
# projects in parallel, which matters on a fresh machine where this is what stands before the first message.
declare -a JIT=()
build_jit() {
    ((${#JIT[@]} == 0)) && return 0
    if ((${#JIT[@]} > 1)); then
        dotnet build scripts/services.slnf -c Release -nologo -v quiet >&2
    else
        dotnet build "${JIT[0]}/PubSubDemo.${JIT[0]}.csproj" -c Release -nologo -v quiet >&2
    fi
}

for service in "$@"; do
    project="$service/PubSubDemo.$service.csproj"
    binary="$service/bin/Release/net10.0/linux-x64/publish/PubSubDemo.$service"
    if ((PUBLISH == 0)); then
        if [[ -x "$binary" ]] && ! stale "$binary" "$service"; then
            echo "$service $ROOT/$binary"
        else
            JIT+=("$service")
        fi
        continue
    fi
    if stale "$binary" "$service"; then
        if ! command -v gcc >/dev/null; then
            log "$service: no gcc to link the Native AOT binary (apt-get install gcc zlib1g-dev); running the JIT build"
        else
            log "$service: publishing the Native AOT binary (a minute or two per service on 2 cores)"
            start=$SECONDS
            if dotnet publish "$project" -c Release -r linux-x64 -nologo -v quiet >"${TMPDIR:-/tmp}/aot-$service.log" 2>&1; then
                log "$service: published in $((SECONDS - start)) s"
            else
                log "$service: the Native AOT publish failed (see ${TMPDIR:-/tmp}/aot-$service.log); running the JIT build"
            fi
        fi
    fi

    if [[ -x "$binary" ]] && ! stale "$binary" "$service"; then
        echo "$service $ROOT/$binary"
    else
        dll="$service/bin/Release/net10.0/PubSubDemo.$service.dll"
        dotnet build "$project" -c Release -nologo -v quiet >&2
        echo "$service $ROOT/$dll"
    fi
done

if ((PUBLISH == 0 && ${#JIT[@]} > 0)); then
    build_jit
    for service in "${JIT[@]}"; do
        echo "$service $ROOT/$service/bin/Release/net10.0/PubSubDemo.$service.dll"
    done
fi
