#!/usr/bin/env bash
# Sandbox profiles (issue 16): request to exec under a cached compiled profile (target <= 5 ms),
# beside a plain exec of the same CMD (the baseline), an uncached compile and an uncached request,
# in one run. Needs root for the pid, mount and net namespaces of --level maximum.
#   bench/run-sandbox.sh [rounds] [CMD]      (builds first; SKIP_BUILD=1 to skip)
set -euo pipefail
. "$(dirname "$0")/prepare.sh"
echo "sandbox $(date -u +%FT%TZ) kernel=$(uname -r) cpus=$(nproc) loadavg: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
java $args -cp "bench/target/twinlane-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  dev.twinlane.bench.sandbox.SandboxBench "$@" 2> >(grep -v '^WARNING' >&2)
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)"
