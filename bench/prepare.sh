# shellcheck shell=bash
# Sourced by every bench/run-*.sh: works from the repository root, installs the build tools
# (scripts/ensure-deps), builds the bench jar and what it needs unless SKIP_BUILD=1, and sets
# $args to the JVM options Chronicle Queue needs on JDK 17, read from the root pom so that the
# benchmarks run with exactly the options the tests use.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts/ensure-deps
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "$(basename "$0"): building (mvn install -pl bench -am)" >&2
  mvn -B -q -ntp install -DskipTests -pl bench -am >&2
fi
# shellcheck disable=SC2034
args=$(sed -n 's:.*<chronicle.jvm.args>\(.*\)</chronicle.jvm.args>.*:\1:p' pom.xml)

# stage_jars NAME: copies the bench jars to a fresh $stage/lib (removed at exit) and sets $cp to
# them, so that a build in the shared tree during the run cannot change them.
stage_jars() {
  stage=$(mktemp -d "/tmp/$1.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$stage'" EXIT
  mkdir -p "$stage/lib"
  cp bench/target/twinlane-bench-0.1.0-SNAPSHOT.jar bench/target/lib/*.jar "$stage/lib/"
  cp="$stage/lib/*"
}
