#!/usr/bin/env bash
# End-to-end latency of the security path (issue 4): kernel record -> router -> security lane ->
# chained log -> durable, on the real kernel path. Runs ROUNDS rounds of EndToEndLatency and
# prints each round's figures and the median over rounds of the two targets' figures.
#   bench/run-e2e.sh [rate/s] [seconds] [blocking|yielding|phasedN]
#   knobs: ROUNDS=3 SKIP_BUILD=1, and JAVA_OPTS for -De2e.* (see EndToEndLatency's javadoc)
set -euo pipefail
. "$(dirname "$0")/prepare.sh"
out=bench/target/e2e
mkdir -p "$out"
rm -f "$out"/round-*.txt
for round in $(seq 1 "${ROUNDS:-3}"); do
  # shellcheck disable=SC2086
  java $args ${JAVA_OPTS:-} -cp "bench/target/twinlane-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
    dev.twinlane.bench.e2e.EndToEndLatency "$@" 2>/dev/null | grep -v '^WARNING\|^INFO' > "$out/round-$round.txt"
  echo "--- round $round"
  cat "$out/round-$round.txt"
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
p99=$(sed -n 's/^kernel -> appended .* p99=\([0-9.]*\) us.*/\1/p' "$out"/round-*.txt | median)
dmax=$(sed -n 's/^appended -> durable .* max=\([0-9.]*\) us.*/\1/p' "$out"/round-*.txt | median)
base=$(sed -n 's/^kernel -> router .* p99=\([0-9.]*\) us.*/\1/p' "$out"/round-*.txt | median)
if grep -q '^diagnosis run' "$out"/round-*.txt; then
  echo "--- median over ${ROUNDS:-3} rounds (diagnosis, nothing appended): kernel -> router p99 $base us, kernel -> handed over p99 $p99 us"
  exit 0
fi
echo "--- median over ${ROUNDS:-3} rounds: kernel -> router p99 $base us (the reading alone), kernel -> appended p99 $p99 us" \
  "(target < 50 us: $(awk -v v="$p99" 'BEGIN { print (v < 50 ? "met" : "NOT met") }')), appended -> durable max $dmax us" \
  "(target <= 102000 us: $(awk -v v="$dmax" 'BEGIN { print (v <= 102000 ? "met" : "NOT met") }'))"
