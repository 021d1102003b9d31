#!/usr/bin/env bash
# Router throughput (issue 4): twinlane's Disruptor-based security lane against an
# ArrayBlockingQueue router doing the same work, in one JMH run, with -prof gc; and the
# inline security lane (the agent's default since issue 12: no hand-off at all).
# Prints records/s of each, the ratio, and the allocation per record.
#   bench/run-router.sh            (builds first; SKIP_BUILD=1 to skip)
set -euo pipefail
. "$(dirname "$0")/prepare.sh"
out=bench/target/router.csv
java $args -cp "bench/target/twinlane-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" org.openjdk.jmh.Main \
  'router.RouterBenchmark' -wi "${WARMUPS:-5}" -w 1 -i "${ITERATIONS:-10}" -r 1 -prof gc -rf csv -rff "$out" >&2
awk -F, '
  { gsub(/"/, "") }
  $1 ~ /RouterBenchmark\.disruptor$/ { d = $5; de = $6 }
  $1 ~ /RouterBenchmark\.queue$/ { q = $5; qe = $6 }
  $1 ~ /RouterBenchmark\.inline$/ { n = $5; ne = $6 }
  $1 ~ /disruptor:gc.alloc.rate.norm$/ { da = $5 }
  $1 ~ /inline:gc.alloc.rate.norm$/ { na = $5 }
  $1 ~ /queue:gc.alloc.rate.norm$/ { qa = $5 }
  END {
    printf "router records/s   disruptor %.0f (+-%.0f)   queue %.0f (+-%.0f)   ratio %.2f   inline %.0f (+-%.0f)\n", d, de, q, qe, d / q, n, ne
    printf "allocation B/record disruptor %.4f   queue %.1f   inline %.4f\n", da, qa, na
    printf "targets: >= 20000000 records/s: %s; >= 3x the queue: %s\n", (d >= 20000000 ? "met" : "NOT met"), (d / q >= 3 ? "met" : "NOT met")
  }' "$out"
