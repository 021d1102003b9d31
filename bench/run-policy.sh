#!/usr/bin/env bash
# The policy plane (issue 13): compile + apply time at 1 k, 10 k and 100 k rules (target <= 5 ms
# for 10 k), the cgroup connect4 program's cost per decision with 0, 10 and 10 k rules (bpf_stats:
# run_time_ns / run_cnt), and the policy maps' memory per rule. Needs root (it loads the programs,
# pinned under /sys/fs/bpf/twinlane-bench-*, removed at the end). Turns kernel.bpf_stats_enabled
# on for the run and restores it. Prints the figures and writes bench/results/policy-DATE.md.
#   bench/run-policy.sh            (builds first; SKIP_BUILD=1 to skip; RUNS=7 medians over 7 runs)
set -euo pipefail
. "$(dirname "$0")/prepare.sh"
was=$(cat /proc/sys/kernel/bpf_stats_enabled)
trap 'sysctl -q -w kernel.bpf_stats_enabled="$was"' EXIT
sysctl -q -w kernel.bpf_stats_enabled=1
mkdir -p bench/results
report="bench/results/policy-$(date +%Y%m%d-%H%M%S).md"
# shellcheck disable=SC2086
java $args -cp "bench/target/twinlane-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  dev.twinlane.bench.policy.PolicyBench "$report" "${RUNS:-7}" 2> >(grep -v '^WARNING' >&2)
