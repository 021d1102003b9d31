#!/usr/bin/env bash
# Ring-buffer drain benchmark (issue 2): libbpf's C reader (bench/native/ring_drain.c)
# against twinlane's Java reader (RingBufferReader, via dev.twinlane.bench.ring.RingDrainHarness),
# on the same in-kernel load (loadgen.bpf.o run with BPF_PROG_TEST_RUN, 64-byte records),
# both pinned to one CPU, alternating C and Java for several rounds; prints medians.
#
#   bench/run-ring-drain.sh            (root; builds what it needs first)
#
# Environment: ROUNDS (7), CPU (1), RING_BYTES (16777216), BATCH (100000),
# TOTAL records per measured run (50000000), C_WARMUP (2000000), JAVA_WARMUP (20000000),
# SKIP_BUILD=1 to skip the Maven build, JAVA_OPTS extra JVM options.
# BASELINE=<git revision>: also run, each round, the Java reader as RingBufferReader.java
# was at that revision (compiled against the current ingest jar), to measure a change to it.
set -euo pipefail

ROUNDS=${ROUNDS:-7}
CPU=${CPU:-1}
RING_BYTES=${RING_BYTES:-16777216}
BATCH=${BATCH:-100000}
TOTAL=${TOTAL:-50000000}
C_WARMUP=${C_WARMUP:-2000000}
JAVA_WARMUP=${JAVA_WARMUP:-20000000}

if [ "$(id -u)" != 0 ]; then
  echo "run-ring-drain: needs root (loads a BPF program and runs BPF_PROG_TEST_RUN)" >&2
  exit 1
fi
. "$(dirname "$0")/prepare.sh"

cbin=bench/target/ring_drain
if [ ! -x "$cbin" ] || [ bench/native/ring_drain.c -nt "$cbin" ] \
    || [ ebpf-programs/src/bpf/twinlane_records.h -nt "$cbin" ]; then
  gcc -O2 -Wall -Wextra -o "$cbin" bench/native/ring_drain.c -lbpf
fi

# Stage everything the runs use, so that a build in the shared tree during the
# run (other modules, mvn clean) cannot change or remove it half-way.
stage=$(mktemp -d /tmp/ring-drain.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib"
cp bench/target/twinlane-bench-0.1.0-SNAPSHOT.jar bench/target/lib/*.jar "$stage/lib/"
cp "$cbin" "$stage/ring_drain"
# The object the Java side loads is the one packaged in the ebpf-programs jar:
# the C side takes its copy from that same jar, checked against the build digest.
(cd "$stage" && jar xf lib/twinlane-ebpf-programs-0.1.0-SNAPSHOT.jar bpf/loadgen.bpf.o bpf/digests)
obj=$stage/bpf/loadgen.bpf.o
want=$(awk '$2 == "loadgen.bpf.o" {print $1}' "$stage/bpf/digests")
have=$(sha256sum "$obj" | cut -d' ' -f1)
if [ "$want" != "$have" ]; then
  echo "run-ring-drain: $obj does not match its build digest" >&2
  exit 1
fi

if [ -n "${BASELINE:-}" ]; then
  src=$stage/base-src/dev/twinlane/ingest
  mkdir -p "$src" "$stage/base"
  git show "$BASELINE:ingest/src/main/java/dev/twinlane/ingest/RingBufferReader.java" >"$src/RingBufferReader.java"
  javac -nowarn --release 17 -cp "$stage/lib/*" -d "$stage/base" "$src/RingBufferReader.java" 2>/dev/null
fi

run_c() {
  taskset -c "$CPU" "$stage/ring_drain" "$obj" "$RING_BYTES" "$BATCH" "$TOTAL" "$C_WARMUP" | grep '^RESULT '
}
run_java() {
  # shellcheck disable=SC2086
  taskset -c "$CPU" java ${JAVA_OPTS:-} -cp "$stage/lib/*" dev.twinlane.bench.ring.RingDrainHarness \
    "$RING_BYTES" "$BATCH" "$TOTAL" "$JAVA_WARMUP" | grep '^RESULT '
}
run_base() {
  # The baseline class comes first on the class path and shadows the current one.
  # shellcheck disable=SC2086
  taskset -c "$CPU" java ${JAVA_OPTS:-} -cp "$stage/base:$stage/lib/*" dev.twinlane.bench.ring.RingDrainHarness \
    "$RING_BYTES" "$BATCH" "$TOTAL" "$JAVA_WARMUP" | grep '^RESULT ' | sed 's/impl=java/impl=base/'
}

echo "ring-drain $(date -u +%Y-%m-%dT%H:%M:%SZ) host=$(hostname) kernel=$(uname -r)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) online), pinned to CPU $CPU"
echo "java: $(java -version 2>&1 | head -1)  libbpf: $(dpkg-query -W -f='${Version}' libbpf1 2>/dev/null || echo '?')"
echo "load: 64-byte tl_loadgen records, ring ${RING_BYTES} B, batch ${BATCH}, ${TOTAL} records per run, ${ROUNDS} rounds; loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
results=$stage/results
for ((i = 1; i <= ROUNDS; i++)); do
  # Alternate which side goes first, so a drift in machine load hits both alike.
  if ((i % 2)); then order="c java"; else order="java c"; fi
  if [ -n "${BASELINE:-}" ]; then
    if ((i % 2)); then order="$order base"; else order="base $order"; fi
  fi
  for side in $order; do
    line=$(run_$side)
    echo "round $i $line"
    echo "$i $line" >>"$results"
  done
done
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Medians over rounds, the ratio of the medians, and the median of the per-round ratios.
# Headline: each run's median batch (a batch = one test run + one drain), which
# preemption by other load on a shared machine does not move; below it the
# whole-run rates, which it does.
awk '
  function val(key,   j, kv) { for (j = 3; j <= NF; j++) { split($j, kv, "="); if (kv[1] == key) return kv[2] } }
  function median(a, n,   i, j, t, b) {
    for (i = 1; i <= n; i++) b[i] = a[i]
    for (i = 2; i <= n; i++) { t = b[i]; for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]; b[j + 1] = t }
    return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
  }
  function row(label, c, j, n,   i, r) {
    for (i = 1; i <= n; i++) r[i] = j[i] / c[i]
    printf "%-26s %14.0f %14.0f %7.2f %10.2f\n", label, median(c, n), median(j, n), median(j, n) / median(c, n), median(r, n)
  }
  {
    impl = val("impl"); r = $1; rounds[r] = 1
    bc[impl, r] = val("batch_consume_rps"); bt[impl, r] = val("batch_total_rps")
    wc[impl, r] = val("consume_rps"); wt[impl, r] = val("total_rps")
    if (impl == "base") base = 1
  }
  END {
    n = 0
    for (r in rounds) {
      n++
      cbc[n] = bc["c", r]; jbc[n] = bc["java", r]; cbt[n] = bt["c", r]; jbt[n] = bt["java", r]
      cwc[n] = wc["c", r]; jwc[n] = wc["java", r]; cwt[n] = wt["c", r]; jwt[n] = wt["java", r]
      if (base) { xbc[n] = bc["base", r]; xbt[n] = bt["base", r] }
    }
    printf "%-26s %14s %14s %7s %10s\n", "records/s, " n " rounds", "C (libbpf)", "Java", "Java/C", "per-round"
    row("consume-only", cbc, jbc, n)
    row("produce+consume", cbt, jbt, n)
    row("consume-only, whole run", cwc, jwc, n)
    row("produce+consume, whole run", cwt, jwt, n)
    if (base) {
      printf "%-26s %14s %14s %7s %10s\n", "baseline " rev, "Java@" rev, "Java", "J/J@" rev, "per-round"
      row("consume-only", xbc, jbc, n)
      row("produce+consume", xbt, jbt, n)
      printf "%-26s %14s %14s %7s %10s\n", "", "C (libbpf)", "Java@" rev, "J@/C", "per-round"
      row("consume-only", cbc, xbc, n)
      row("produce+consume", cbt, xbt, n)
    }
    # Time per record of the kernel side alone (median C batch): the ceiling of any reader.
    ceiling = 1 / (1 / median(cbt, n) - 1 / median(cbc, n))
    printf "ceiling: producing alone runs at about %.0f records/s; a reader taking no time would reach %.2fx the C produce+consume figure\n", \
      ceiling, ceiling / median(cbt, n)
    printf "SUMMARY consume_c_rps=%.0f consume_java_rps=%.0f consume_ratio=%.3f total_c_rps=%.0f total_java_rps=%.0f total_ratio=%.3f rounds=%d\n", \
      median(cbc, n), median(jbc, n), median(jbc, n) / median(cbc, n), median(cbt, n), median(jbt, n), median(jbt, n) / median(cbt, n), n
  }' rev="${BASELINE:-}" "$results"
