#!/usr/bin/env bash
# SIEM consumer benchmark (issue 17): verified records/s of twinlane's SIEM consumer (every MAC
# with the hosts' root keys, every seal and checkpoint with the seal public key, duplicates
# dropped, OCSF lines written to a file) against Kafka's own ConsumerPerformance reading the same
# topic from the same local KRaft broker, in the same run, both pinned to one CPU; then two SIEM
# consumers in one consumer group, one per CPU, on the same topic (HOSTS host logs on HOSTS
# partitions). Prints every run, the medians and the ratios (targets: >= 100 k records/s,
# >= 0.5x ConsumerPerformance, two consumers >= 1.6x one), and writes the output to
# bench/results/siem-DATE.txt.
#
#   bench/run-siem.sh            (root: the logs' key files must be root-owned)
#
# Environment: RECORDS (1000000, over all hosts), HOSTS (4), ROUNDS (3), CPU (1), OTHER_CPU (0),
# WORK (a temporary directory), SKIP_BUILD=1 to skip the Maven build, JAVA_OPTS extra JVM options
# for the consumers' JVMs (e.g. -XX:StartFlightRecording=...), BASELINE=<git rev>: also run the
# consumer as siem/src/main and wire-format/src/main were at that revision (compiled here against
# today's other modules; the topic is written with today's wire-format either way).
set -euo pipefail

RECORDS=${RECORDS:-1000000}
HOSTS=${HOSTS:-4}
ROUNDS=${ROUNDS:-3}
CPU=${CPU:-1}
OTHER_CPU=${OTHER_CPU:-0}

if [ "$(id -u)" != 0 ]; then
  echo "run-siem: needs root (the security logs refuse key files root does not own)" >&2
  exit 1
fi
. "$(dirname "$0")/prepare.sh"

stage_jars run-siem
work=${WORK:-$stage/work}
mkdir -p bench/results
base_cp=-
if [ -n "${BASELINE:-}" ]; then
  mkdir -p "$stage/base-src" "$stage/base"
  # the consumer's own code at that revision: siem, and wire-format's rendering it compares and writes with
  paths=siem/src/main/java
  if git cat-file -e "$BASELINE:wire-format/src/main/java" 2>/dev/null; then
    paths="$paths wire-format/src/main/java"
  fi
  # shellcheck disable=SC2086
  git archive "$BASELINE" $paths | tar -x -C "$stage/base-src"
  javac --release 17 -nowarn -d "$stage/base" -cp "$cp" $(find "$stage/base-src" -name '*.java')
  base_cp="$stage/base:$cp"
fi
report=bench/results/siem-$(date -u +%Y%m%d-%H%M%S).txt

{
  echo "siem-bench $(date -u +%Y-%m-%dT%H:%M:%SZ) host=$(hostname) kernel=$(uname -r) commit=$(git rev-parse --short HEAD 2>/dev/null || echo -)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) online); loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $(java -version 2>&1 | head -1)"
  # shellcheck disable=SC2086
  java $args -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" dev.twinlane.bench.siem.SiemBench \
    "$work" "$RECORDS" "$HOSTS" "$ROUNDS" "$CPU" "$OTHER_CPU" \
    "$args -Xmx1g ${JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn" "$cp" "$base_cp" "${BASELINE:-}"
  echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$report"
echo "report: $report"
