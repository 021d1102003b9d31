#!/usr/bin/env bash
# Compiles every src/bpf/*.bpf.c with clang -target bpf (CO-RE, BTF) into
# OUT/bpf/, records each object's SHA-256 in OUT/bpf/digests, and dumps the
# record layout of twinlane_records.h (as gcc sees it) to OUT/bpf/layout.txt.
# Called by Maven (generate-resources); usable by hand: ./build-bpf.sh OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/target/classes}
gen=$here/target/generated-bpf
mkdir -p "$out/bpf" "$gen"
for tool in clang bpftool gcc; do
  command -v $tool >/dev/null || { echo "build-bpf: $tool is missing; run scripts/ensure-deps (it installs clang, llvm, libbpf-dev, bpftool through apt)" >&2; exit 1; }
done
[ -f /usr/include/bpf/bpf_helpers.h ] || { echo "build-bpf: libbpf headers missing; apt-get install libbpf-dev" >&2; exit 1; }
if [ ! -s "$gen/vmlinux.h" ]; then
  [ -r /sys/kernel/btf/vmlinux ] || { echo "build-bpf: /sys/kernel/btf/vmlinux is missing: this kernel has no BTF" >&2; exit 1; }
  bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$gen/vmlinux.h.$$.tmp"
  mv "$gen/vmlinux.h.$$.tmp" "$gen/vmlinux.h"
fi
arch=$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
: > "$out/bpf/digests.$$.tmp"
for src in "$here"/src/bpf/*.bpf.c; do
  name=$(basename "$src" .c)
  obj=$out/bpf/$name.o
  stale=0
  for dep in "$src" "$here"/src/bpf/*.h; do
    [ "$obj" -nt "$dep" ] || stale=1
  done
  if [ $stale = 1 ]; then
    clang -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$arch \
      -I"$gen" -I"$here/src/bpf" -c "$src" -o "$obj.$$.tmp"
    # Strip DWARF but keep BTF: smaller objects, same CO-RE relocations.
    llvm-strip -g "$obj.$$.tmp" 2>/dev/null || true
    mv "$obj.$$.tmp" "$obj"
  fi
  (cd "$out/bpf" && sha256sum "$name.o") >> "$out/bpf/digests.$$.tmp"
done
mv "$out/bpf/digests.$$.tmp" "$out/bpf/digests"
gcc -Wall -Werror -I"$here/src/bpf" "$here/src/layout/layout_dump.c" -o "$gen/layout_dump.$$"
"$gen/layout_dump.$$" > "$out/bpf/layout.txt.$$" && mv "$out/bpf/layout.txt.$$" "$out/bpf/layout.txt" && rm -f "$gen/layout_dump.$$"
