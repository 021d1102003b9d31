#!/usr/bin/env bash
# Ring-buffer drain benchmark (issue 2): libbpf's C reader (bench/native/ring_drain.c)
# against twinlane's Java reader (RingBufferReader, via dev.twinlane.bench.ring.RingDrainHarness),
# on the same in-kernel load (loadgen.bpf.o run with BPF_PROG_TEST_RUN, 64-byte records),
# both pinned to one CPU, alternating C and Java for several rounds; prints medians.
#
#   bench/run-ring-drain.sh            (root; builds what it needs first)
#
# Environment: ROUNDS (5), CPU (1), RING_BYTES (16777216), BATCH (100000),
# TOTAL records per measured run (50000000), C_WARMUP (2000000), JAVA_WARMUP (20000000),
# SKIP_BUILD=1 to skip the Maven build, JAVA_OPTS extra JVM options.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

ROUNDS=${ROUNDS:-5}
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
scripts/ensure-deps

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "run-ring-drain: building (mvn install -pl bench -am)" >&2
  mvn -B -q -ntp install -DskipTests -pl bench -am >&2
fi

work=bench/target/ring-drain
mkdir -p "$work"
# The object the Java side loads is the one packaged in the ebpf-programs jar:
# take the C side's copy from that same jar and check it against the build digest.
jarfile=$(ls bench/target/lib/twinlane-ebpf-programs-*.jar)
(cd "$work" && rm -rf bpf && jar xf "$root/$jarfile" bpf/loadgen.bpf.o bpf/digests)
obj=$work/bpf/loadgen.bpf.o
want=$(awk '$2 == "loadgen.bpf.o" {print $1}' "$work/bpf/digests")
have=$(sha256sum "$obj" | cut -d' ' -f1)
if [ "$want" != "$have" ]; then
  echo "run-ring-drain: $obj does not match its build digest" >&2
  exit 1
fi

cbin=bench/target/ring_drain
if [ ! -x "$cbin" ] || [ bench/native/ring_drain.c -nt "$cbin" ] \
    || [ ebpf-programs/src/bpf/twinlane_records.h -nt "$cbin" ]; then
  gcc -O2 -Wall -Wextra -o "$cbin" bench/native/ring_drain.c -lbpf
fi

cp="bench/target/twinlane-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*"
run_c() {
  taskset -c "$CPU" "$cbin" "$obj" "$RING_BYTES" "$BATCH" "$TOTAL" "$C_WARMUP" | grep '^RESULT '
}
run_java() {
  # shellcheck disable=SC2086
  taskset -c "$CPU" java ${JAVA_OPTS:-} -cp "$cp" dev.twinlane.bench.ring.RingDrainHarness \
    "$RING_BYTES" "$BATCH" "$TOTAL" "$JAVA_WARMUP" | grep '^RESULT '
}

echo "ring-drain $(date -u +%Y-%m-%dT%H:%M:%SZ) host=$(hostname) kernel=$(uname -r)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) online), pinned to CPU $CPU"
echo "java: $(java -version 2>&1 | head -1)  libbpf: $(dpkg-query -W -f='${Version}' libbpf1 2>/dev/null || echo '?')"
echo "load: 64-byte tl_loadgen records, ring ${RING_BYTES} B, batch ${BATCH}, ${TOTAL} records per run, ${ROUNDS} rounds; loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for ((i = 1; i <= ROUNDS; i++)); do
  # Alternate which side goes first, so a drift in machine load hits both alike.
  if ((i % 2)); then order="c java"; else order="java c"; fi
  for side in $order; do
    line=$(run_$side)
    echo "round $i $line"
    echo "$i $line" >>"$results"
  done
done
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Medians over rounds, and the ratio of the medians (plus the median of the per-round ratios).
awk '
  function val(key,   j, kv) { for (j = 3; j <= NF; j++) { split($j, kv, "="); if (kv[1] == key) return kv[2] } }
  function median(a, n,   i, j, t, b) {
    for (i = 1; i <= n; i++) b[i] = a[i]
    for (i = 2; i <= n; i++) { t = b[i]; for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]; b[j + 1] = t }
    return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
  }
  {
    impl = val("impl"); r = $1
    cons[impl, r] = val("consume_rps"); tot[impl, r] = val("total_rps"); rounds[r] = 1
  }
  END {
    n = 0
    for (r in rounds) {
      n++
      cc[n] = cons["c", r]; jc[n] = cons["java", r]; rc[n] = jc[n] / cc[n]
      ct[n] = tot["c", r];  jt[n] = tot["java", r];  rt[n] = jt[n] / ct[n]
    }
    printf "%-16s %16s %16s %8s %14s\n", "mode (medians)", "C records/s", "Java records/s", "Java/C", "per-round J/C"
    printf "%-16s %16.0f %16.0f %8.2f %14.2f\n", "consume-only", median(cc, n), median(jc, n), median(jc, n) / median(cc, n), median(rc, n)
    printf "%-16s %16.0f %16.0f %8.2f %14.2f\n", "produce+consume", median(ct, n), median(jt, n), median(jt, n) / median(ct, n), median(rt, n)
    printf "SUMMARY consume_c_rps=%.0f consume_java_rps=%.0f consume_ratio=%.3f total_c_rps=%.0f total_java_rps=%.0f total_ratio=%.3f rounds=%d\n", \
      median(cc, n), median(jc, n), median(jc, n) / median(cc, n), median(ct, n), median(jt, n), median(jt, n) / median(ct, n), n
  }' "$results"
