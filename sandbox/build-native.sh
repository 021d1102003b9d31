#!/usr/bin/env bash
# Builds the native part of the sandbox with gcc (Linux UAPI headers from linux-libc-dev):
#   OUT/dev/twinlane/sandbox/native/twinlane-sandbox-exec  the helper (a resource; see sandbox/README.md)
#   OUT/dev/twinlane/sandbox/native/syscalls-x86_64.tsv   name<TAB>number, from asm/unistd_64.h
#   target/native/probe                                   the tests' workload (src/test/c/probe.c)
# Called by Maven (generate-resources); usable by hand: ./build-native.sh OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/target/classes}/dev/twinlane/sandbox/native
header=/usr/include/x86_64-linux-gnu/asm/unistd_64.h
command -v gcc >/dev/null || { echo "build-native: gcc is missing; run scripts/ensure-deps" >&2; exit 1; }
[ -f "$header" ] || { echo "build-native: $header is missing; apt-get install linux-libc-dev" >&2; exit 1; }
mkdir -p "$out" "$here/target/native"
build() { # SOURCE BINARY: rebuilt only when the source is newer
  [ "$2" -nt "$1" ] && return 0
  gcc -O2 -Wall -Wextra -Werror "$1" -o "$2.$$.tmp" && mv "$2.$$.tmp" "$2"
}
build "$here/src/native/twinlane-sandbox-exec.c" "$out/twinlane-sandbox-exec"
build "$here/src/test/c/probe.c" "$here/target/native/probe"
sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$/\1\t\2/p' "$header" > "$out/syscalls-x86_64.tsv.$$"
mv "$out/syscalls-x86_64.tsv.$$" "$out/syscalls-x86_64.tsv"
