#!/usr/bin/env bash
# Kafka export benchmark (issue 6): records/s of twinlane's security exporter (a durable
# security log of kernel-shaped records, shipped as OCSF JSON with MACs, acks=all, idempotent)
# against Kafka's own ProducerPerformance with the same record size (the exporter's average
# message) and the same producer settings, to the same local single-node KRaft broker, in the
# same run, each side in a fresh JVM, alternating for several rounds; prints both medians and
# the ratio (target >= 0.8x). Both are measured at steady state: the broker is warmed up first,
# and each run ships WARMUP records untimed before the RECORDS it is measured on
# (ProducerPerformance's own --warmup-records; the exporter's log holds WARMUP records more and
# its clock starts once they are acknowledged).
#
#   bench/run-export.sh            (root: the log's key files must be root-owned)
#
# Environment: RECORDS (300000), WARMUP (200000), ROUNDS (5), WORK (a temporary directory), SKIP_BUILD=1 to skip
# the Maven build, JAVA_OPTS extra JVM options for the exporter's JVM.
set -euo pipefail

RECORDS=${RECORDS:-300000}
WARMUP=${WARMUP:-200000}
ROUNDS=${ROUNDS:-5}

if [ "$(id -u)" != 0 ]; then
  echo "run-export: needs root (the security log refuses key files root does not own)" >&2
  exit 1
fi
. "$(dirname "$0")/prepare.sh"

stage_jars run-export
work=${WORK:-$stage/work}

echo "export-bench $(date -u +%Y-%m-%dT%H:%M:%SZ) host=$(hostname) kernel=$(uname -r)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) online); loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $(java -version 2>&1 | head -1)"
# shellcheck disable=SC2086
java $args -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" dev.twinlane.bench.export.ExportBench \
  "$work" "$RECORDS" "$ROUNDS" "$args -Xmx512m ${JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn" "$cp" "$WARMUP"
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)"
