#!/usr/bin/env bash
# Per-event cost of recording (issue 12): what twinlane costs the processes it watches, against no
# agent, against auditd with equivalent rules and against a C floor (the agent's own BPF programs
# with a libbpf reader that does nothing per record), on four system-call loops, in one run with
# alternating rounds. Writes bench/results/overhead-<date>.md, .png and .txt (the raw figures).
#
#   bench/run-overhead.sh            (root; about 10 minutes with the defaults)
#
# Environment:
#   ROUNDS=5        rounds; each round runs every configuration once, in an order rotated per round
#   DURATION=1      seconds of each measured workload run
#   WARMUP=15       seconds of the open loop after a tracer starts, not measured (the agent's JIT
#                   needs seconds of load; caches), then WARMUP/4 s of each other workload
#   CPU=1           the CPU the workloads are pinned to (taskset); tracers are left free
#   CONFIGS="none default all all-lt all-rt0 all-nice auditd floor"   configurations (see bench/README.md); all-lt is
#                   "all" with security.lane_thread true (all workloads); all-rt0
#                   is "all" with security.realtime_priority 0, run on DELAY_WORKLOADS; all-nice is
#                   all-rt0 with security.nice -20, on every workload; all-avoid is "all" with
#                   security.reader_avoids_producer_cpu true, on DELAY_WORKLOADS; all-bg0 is "all"
#                   with security.background_nice 0 (the log's Merkle and pretouch threads), on DELAY_WORKLOADS;
#                   all-apart is "all" with the whole agent pinned (taskset) off CPU, on DELAY_WORKLOADS
#   DELAYS="0 200us 5ms"   extra security.max_delay settings of "all" (every open recorded), run on
#                   DELAY_WORKLOADS ("open"); "all" itself is the default 1ms
#   SKIP_BUILD=1    use the existing build (agent, bench) instead of building
#   ALLOW_FOREIGN=1 run even though someone else's twinlane BPF programs stay loaded (see below)
#   WORKLOADS="open stat exec connect"   the workloads of every configuration (DELAY_WORKLOADS aside)
#   OUT=bench/results   where the report goes
# The workloads, the floor and the sampler are built from bench/native/ with gcc.
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-1}
WARMUP=${WARMUP:-15}
CPU=${CPU:-1}
CONFIGS=${CONFIGS-none default all all-avoid all-lt all-rt0 all-nice auditd floor}
DELAYS=${DELAYS-0 200us 5ms}
DELAY_WORKLOADS=${DELAY_WORKLOADS:-open}
OUT=${OUT:-bench/results}
WORKLOADS=${WORKLOADS:-open stat exec connect}
AUDIT_KEY=twinlane-overhead
# After a workload exits, records may still sit in the kernel ring for up to max_delay (5 ms at
# most here) and in the lane: wait this long before the second sample so the window holds them.
SETTLE=0.05

if [ "$(id -u)" != 0 ]; then
  echo "run-overhead: needs root (loads BPF programs, runs auditd)" >&2
  exit 1
fi
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

started=$(date +%s)
stamp=$(date -u +%Y%m%d-%H%M%S)
stage=$(mktemp -d /var/tmp/twinlane-overhead.XXXXXX)   # on disk, not tmpfs: the logs live here
data=$stage/measurements.txt
: >"$data"
tracer_pid=""
auditd_pid=""
audit_saved=""

# Progress on stderr, with the time since the start (bash's SECONDS).
say() { printf 'run-overhead: [%d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*" >&2; }

# The value of KEY in a line of key=value words.
field() {
  local key=$1
  shift
  tr ' ' '\n' <<<"$*" | sed -n "/^$key=/{s///p;q}"
}

# Stops what this script started, by pid, and puts the audit settings back; runs on every exit.
cleanup() {
  set +e
  if [ -n "$tracer_pid" ] && kill -0 "$tracer_pid" 2>/dev/null; then
    kill -TERM "$tracer_pid"
    wait "$tracer_pid" 2>/dev/null
  fi
  stop_auditd
  rm -rf "$stage"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# How many twinlane BPF programs (names tl_*) are loaded. Another agent, a test suite or a leftover
# would tax every configuration, "no agent" included, and record the loops' operations once more.
twinlane_programs() {
  bpftool prog show 2>/dev/null | grep -c ' name tl_' || true
}

# Waits up to $1 s until no twinlane program is loaded (other people's agent runs on this machine
# last seconds), then prints how many still are.
wait_quiet() {
  local limit=$1 n i
  for ((i = 0; i < limit * 2; i++)); do
    n=$(twinlane_programs)
    [ "$n" = 0 ] && break
    sleep 0.5
  done
  echo "$n"
}

refuse_if_foreign() {
  local n
  n=$(wait_quiet 60)
  if [ "$n" != 0 ] && [ "${ALLOW_FOREIGN:-0}" != 1 ]; then
    bpftool prog show | grep ' name tl_' >&2
    ps -eo pid,etime,args | grep '[d]ev.twinlane.agent.Main' | cut -c1-200 >&2 || true
    say "$n twinlane BPF programs are loaded (above: another agent or test run?) and stayed for 60 s:"
    say "the figures would be meaningless. Stop it, or set ALLOW_FOREIGN=1 to measure anyway (the report says so)."
    exit 1
  fi
}

# ---- tools, build, stage -------------------------------------------------------------------

install_tools() {
  scripts/ensure-deps
  local need=()
  command -v gnuplot >/dev/null || need+=(gnuplot-nox)
  if [[ " $CONFIGS " == *" auditd "* ]]; then
    command -v auditd >/dev/null || need+=(auditd)
  fi
  if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

# A reactor build of the agent and the bench module only: never `mvn install` (other worktrees
# share ~/.m2). The launcher's stamp is touched because this build covers what it would build.
build() {
  if [ "${SKIP_BUILD:-0}" = 1 ]; then
    return
  fi
  say "building (mvn package -pl agent,bench -am)"
  mvn -B -q -ntp package -DskipTests -pl agent,bench -am >&2
  mkdir -p target && touch target/.build-stamp
}

# Copies what the measuring side runs into the stage, so a rebuild in the tree during the run
# cannot change it half-way, and compiles the C programs there.
stage_tools() {
  mkdir -p "$stage/lib" "$stage/bpf"
  cp bench/target/twinlane-bench-0.1.0-SNAPSHOT.jar bench/target/lib/*.jar "$stage/lib/"
  # The floor loads the objects the agent loads: the ones packaged in the agent's ebpf-programs jar.
  (cd "$stage" && unzip -q -o "$root/agent/target/lib/twinlane-ebpf-programs-0.1.0-SNAPSHOT.jar" 'bpf/*')
  (cd "$stage/bpf" && sha256sum -c --quiet digests)
  gcc -O2 -Wall -Wextra -o "$stage/workload" bench/native/overhead_workload.c
  gcc -O2 -Wall -Wextra -o "$stage/floor" bench/native/overhead_floor.c -lbpf
  gcc -O2 -Wall -Wextra -o "$stage/sample" bench/native/proc_sample.c
  touch "$stage/target"   # the file the open and stat loops use
  jvm_args=$(sed -n 's:.*<chronicle.jvm.args>\(.*\)</chronicle.jvm.args>.*:\1:p' pom.xml)
}

# ---- tracers ---------------------------------------------------------------------------------

# Starts `./twinlane run` for configuration $1 with data dir $2; returns once its programs are attached.
start_agent() {
  local config=$1 dir=$2
  local opts=(--data-dir "$dir/data")
  case "$config" in
    default) ;;
    all) opts+=(--record-all-opens) ;;
    all-md*)
      printf 'security:\n  max_delay: %s\n' "${config#all-md}" >"$dir/config.yaml"
      opts+=(--record-all-opens --config "$dir/config.yaml")
      ;;
    all-rt0)
      printf 'security:\n  realtime_priority: 0\n' >"$dir/config.yaml"
      opts+=(--record-all-opens --config "$dir/config.yaml")
      ;;
    all-nice)
      printf 'security:\n  realtime_priority: 0\n  nice: -20\n' >"$dir/config.yaml"
      opts+=(--record-all-opens --config "$dir/config.yaml")
      ;;
    all-avoid)
      printf 'security:\n  reader_avoids_producer_cpu: true\n' >"$dir/config.yaml"
      opts+=(--record-all-opens --config "$dir/config.yaml")
      ;;
    all-apart) opts+=(--record-all-opens) ;;
    all-bg0)
      printf 'security:\n  background_nice: 0\n' >"$dir/config.yaml"
      opts+=(--record-all-opens --config "$dir/config.yaml")
      ;;
    all-lt)
      printf 'security:\n  lane_thread: true\n' >"$dir/config.yaml"
      opts+=(--record-all-opens --config "$dir/config.yaml")
      ;;
  esac
  # A status file of its own: /run/twinlane/agent.status may belong to someone else's agent.
  local pin=()
  # all-apart: the whole agent kept off the workloads' CPU, as an operator pins an agent to
  # housekeeping CPUs (systemd CPUAffinity=, a cpuset): what is left is not the scheduler's doing
  [ "$config" = all-apart ] && pin=(taskset -c "$(seq 0 $(($(nproc) - 1)) | grep -vx "$CPU" | paste -sd,)")
  TWINLANE_JAVA_OPTS="-Dtwinlane.status=$dir/agent.status" "${pin[@]}" ./twinlane run "${opts[@]}" >"$dir/agent.out" 2>"$dir/agent.err" &
  tracer_pid=$!
  local i
  # Up to 5 minutes: the launcher builds first if a source is newer than its last build.
  for ((i = 0; i < 3000; i++)); do
    grep -q '^twinlane: mode ' "$dir/agent.err" && return 0
    kill -0 "$tracer_pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -20 "$dir/agent.err" >&2
  say "the agent ($config) did not start"
  exit 1
}

# SIGTERM, then wait: the agent drains its rings and closes its logs before it exits.
stop_tracer() {
  kill -TERM "$tracer_pid"
  wait "$tracer_pid" || true
  tracer_pid=""
}

# Audit settings as they were, restored after the auditd configuration.
save_audit() {
  audit_saved=$(auditctl -s | awk '$1 == "enabled" || $1 == "backlog_limit" || $1 == "backlog_wait_time" { printf "%s=%s ", $1, $2 }')
}

start_auditd() {
  if pidof auditd >/dev/null; then
    say "an auditd is already running (not started by this script): not measuring auditd"
    return 1
  fi
  save_audit
  # -n: stays in the foreground, so this script owns its pid (no init system here to ask).
  auditd -n >/dev/null 2>&1 &
  auditd_pid=$!
  local i
  for ((i = 0; i < 100; i++)); do
    [ "$(auditctl -s | awk '$1 == "pid" { print $2 }')" = "$auditd_pid" ] && break
    sleep 0.1
  done
  # Debian's shipped rules.d/audit.rules settings, then the rule equivalent to twinlane's records.
  auditctl -b 8192 --backlog_wait_time 60000 >/dev/null
  auditctl -a always,exit -F arch=b64 -S open,openat,openat2,execve,connect -k "$AUDIT_KEY"
  audit_lost0=$(auditctl -s | awk '$1 == "lost" { print $2 }')
}

stop_auditd() {
  if [ -z "$auditd_pid" ]; then
    return 0
  fi
  auditctl -D -k "$AUDIT_KEY" >/dev/null 2>&1 || true
  kill -TERM "$auditd_pid" 2>/dev/null || true
  wait "$auditd_pid" 2>/dev/null || true
  auditd_pid=""
  if [ -n "$audit_saved" ]; then
    auditctl -e "$(field enabled "$audit_saved")" -b "$(field backlog_limit "$audit_saved")" \
      --backlog_wait_time "$(field backlog_wait_time "$audit_saved")" >/dev/null 2>&1 || true
  fi
}

# The programs the agent attached (security families only), from its bpf-audit.log: OBJECT:PROG,...
floor_specs_from() {
  local log=$1
  sed -n 's/.*"audit":"attach".*"object":"\(security_[a-z]*\.bpf\.o\)","program":"\([a-z0-9_]*\)".*"result":"ok".*/\1 \2/p' "$log" |
    awk '{ p[$1] = p[$1] ? p[$1] "," $2 : $2 } END { for (o in p) print o ":" p[o] }' | sort
}

start_floor() {
  local dir=$1
  # shellcheck disable=SC2086
  "$stage/floor" -d 1000000 "$stage/bpf" $floor_specs >"$dir/floor.out" 2>"$dir/floor.err" &
  tracer_pid=$!
  local i
  for ((i = 0; i < 300; i++)); do
    grep -q '^FLOOR ready' "$dir/floor.out" && return 0
    kill -0 "$tracer_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$dir/floor.err" >&2
  say "the floor reader did not start"
  exit 1
}

# ---- workloads -------------------------------------------------------------------------------

workload_args() {
  case "$1" in
    open | stat) echo "$1 $2 $stage/target" ;;
    exec) echo "exec $2 /bin/true" ;;
    connect) echo "connect $2" ;;
  esac
}

# Runs workloads $3 for configuration $1, round $2; with a tracer pid, samples its cost around each.
run_workloads() {
  local config=$1 round=$2 wls=$3 w res before after
  # Warm-up, not measured: the open loop is every configuration's first measurement and the
  # heaviest stream of records, so it gets the bulk; the other workloads a quarter each.
  local quarter
  quarter=$(awk -v s="$WARMUP" 'BEGIN { print s / 4 }')
  # shellcheck disable=SC2046
  taskset -c "$CPU" "$stage/workload" $(workload_args open "$WARMUP") >/dev/null
  for w in $wls; do
    if [ "$w" != open ]; then
      # shellcheck disable=SC2046
      taskset -c "$CPU" "$stage/workload" $(workload_args "$w" "$quarter") >/dev/null
    fi
  done
  for w in $wls; do
    before=""
    if [ -n "$tracer_pid" ]; then
      before=$("$stage/sample" "$tracer_pid")
    fi
    # shellcheck disable=SC2046
    res=$(taskset -c "$CPU" "$stage/workload" $(workload_args "$w" "$DURATION"))
    local line="M round=$round config=$config ${res#RESULT }"
    if [ -n "$before" ]; then
      sleep "$SETTLE"
      after=$("$stage/sample" "$tracer_pid")
      local m0 m1
      m0=$(field mono_ns "$before")
      m1=$(field mono_ns "$after")
      line+=" from_mono=$m0 to_mono=$m1 window_ns=$((m1 - m0))"
      line+=" cpu_ns=$(($(field cpu_ns "$after") - $(field cpu_ns "$before")))"
      line+=" ctxsw=$(($(field ctxsw "$after") - $(field ctxsw "$before")))"
      line+=" rss_kb=$(field rss_kb "$after") threads=$(field threads "$after")"
    fi
    echo "$line" >>"$data"
    say "round $round $config $w: $(field ns_per_op "$res") ns/op, $(field ops "$res") ops"
  done
}

# Verifies and reads the log of one agent run, then deletes it. Writes the T and W lines.
analyse_agent() {
  local config=$1 round=$2 dir=$3
  local err=$dir/agent.err sec obs vline vrc census
  sec=$(grep '^twinlane: security ring:' "$err" || true)
  obs=$(grep '^twinlane: observability ring:' "$err" || true)
  vline=$(./twinlane verify --wal "$dir/data/security" --key "$dir/data/keys/security.key" 2>"$dir/verify.err" | tail -1) && vrc=0 || vrc=$?
  local windows=()
  local mline
  while read -r mline; do
    windows+=(--window "$(field workload "$mline")" "$(field from_mono "$mline")" "$(field to_mono "$mline")"
      "$(field workload "$mline")" "$(field tgid "$mline")")
    case "$(field workload "$mline")" in
      open) windows+=("$stage/target") ;;
      connect) windows+=("$(field port "$mline")") ;;
    esac
  done < <(grep "^M round=$round config=$config " "$data")
  # shellcheck disable=SC2086
  census=$(java $jvm_args -cp "$stage/lib/*" dev.twinlane.bench.overhead.LogCensus \
    --wal "$dir/data/security" --key "$dir/data/keys/security.key" "${windows[@]}" 2>/dev/null |
    grep '^CENSUS\|^TOP\|^WINDOW')
  echo "$census" | sed "s/^/run-overhead:   round $round $config: /" >&2
  local c
  c=$(grep '^CENSUS' <<<"$census")
  echo "T round=$round config=$config sec_records=$(awk '{print $4}' <<<"$sec") sec_dropped=$(awk '{print $8}' <<<"$sec")" \
    "obs_records=$(awk '{print $4}' <<<"$obs") obs_dropped=$(awk '{print $8}' <<<"$obs")" \
    "verify=$([ "$vrc" = 0 ] && echo OK || echo FAIL) verify_line=${vline// /_}" \
    "census_records=$(field records "$c") gap_records=$(field gap_records "$c") gap_lost=$(field gap_lost "$c")" \
    "kind_exec=$(field kind_exec "$c") kind_file_open=$(field kind_file_open "$c") kind_connect=$(field kind_connect "$c")" \
    "others=$(field others "$c") others_top=$(field others_top "$c")" >>"$data"
  grep '^WINDOW' <<<"$census" | sed "s/^WINDOW label=\([a-z]*\)/W round=$round config=$config workload=\1/" >>"$data"
  say "round $round $config: ${sec#twinlane: }; verify: $vline"
  rm -rf "$dir/data"
}

# One configuration, one round: start its tracer, run its workloads, stop it, analyse.
run_config() {
  local config=$1 round=$2
  local dir=$stage/run-$config-$round
  mkdir -p "$dir"
  # Someone else's twinlane programs at the start of this run, and at its end, as soon as ours are gone.
  local foreign_start foreign_end
  foreign_start=$(wait_quiet 10)
  local wls=$WORKLOADS
  if [[ "$config" == all-md* || "$config" == all-rt0 || "$config" == all-avoid || "$config" == all-bg0 || "$config" == all-apart ]]; then
    wls=$DELAY_WORKLOADS
  fi
  case "$config" in
    none)
      run_workloads none "$round" "$wls"
      foreign_end=$(twinlane_programs)
      ;;
    auditd)
      start_auditd || return 0
      run_workloads auditd "$round" "$wls"
      foreign_end=$(twinlane_programs)
      echo "T round=$round config=auditd lost=$(($(auditctl -s | awk '$1 == "lost" { print $2 }') - audit_lost0))" >>"$data"
      stop_auditd
      ;;
    floor)
      start_floor "$dir"
      run_workloads floor "$round" "$wls"
      stop_tracer
      foreign_end=$(twinlane_programs)
      local f
      f=$(grep '^FLOOR records=' "$dir/floor.out")
      echo "T round=$round config=floor ${f#FLOOR }" >>"$data"
      say "round $round floor: $f"
      ;;
    *)
      start_agent "$config" "$dir"
      run_workloads "$config" "$round" "$wls"
      stop_tracer
      foreign_end=$(twinlane_programs)
      analyse_agent "$config" "$round" "$dir"
      ;;
  esac
  echo "F round=$round config=$config at_start=$foreign_start at_end=$foreign_end" >>"$data"
  rm -rf "$dir"
}

# One unmeasured agent run before the rounds, with every open recorded: it tells the floor which
# programs to load (the agent's bpf-audit.log), checks that the floor's objects are the ones the
# agent loaded, and checks that connects reach the security log at all.
preflight() {
  local dir=$stage/preflight
  mkdir -p "$dir"
  start_agent all "$dir"
  hook_line=$(grep '^twinlane: mode ' "$dir/agent.err")
  local res
  # shellcheck disable=SC2046
  res=$(taskset -c "$CPU" "$stage/workload" $(workload_args connect 0.2))
  stop_tracer
  floor_specs=$(floor_specs_from "$dir/data/bpf-audit.log" | tr '\n' ' ')
  local obj want have
  for obj in $(sed -n 's/.*"audit":"load".*"object":"\(security_[a-z]*\.bpf\.o\)","sha256":"\([0-9a-f]*\)".*"result":"ok".*/\1:\2/p' "$dir/data/bpf-audit.log"); do
    want=${obj#*:}
    have=$(sha256sum "$stage/bpf/${obj%%:*}" | cut -d' ' -f1)
    [ "$want" = "$have" ] || { say "the floor's ${obj%%:*} is not the object the agent loaded"; exit 1; }
  done
  local census
  # shellcheck disable=SC2086
  census=$(java $jvm_args -cp "$stage/lib/*" dev.twinlane.bench.overhead.LogCensus \
    --wal "$dir/data/security" --key "$dir/data/keys/security.key" \
    --window connect 0 9223372036854775807 connect "$(field tgid "$res")" "$(field port "$res")" 2>/dev/null | grep '^WINDOW')
  connect_check="$(field wl_records "$census") connect records chained for $(field ops "$res") connects to 127.0.0.1 (cgroup/connect4)"
  say "preflight: agent attached: ${hook_line#twinlane: }"
  say "preflight: floor loads: $floor_specs"
  say "preflight: $connect_check"
  rm -rf "$dir"
}

# After the rounds: the floor's BPF programs' own time per run (bpf_stats: run_time_ns / run_cnt)
# while the open loop runs once more, so the report can say how much of the floor is the programs
# and how much the tracepoint machinery around them. bpf_stats costs each run two clock reads, so
# this loop is not one of the measured ones.
program_cost() {
  local dir=$stage/progcost was res id t c
  mkdir -p "$dir"
  prog_cost=""
  was=$(cat /proc/sys/kernel/bpf_stats_enabled)
  start_floor "$dir"
  sysctl -q -w kernel.bpf_stats_enabled=1
  # shellcheck disable=SC2046
  res=$(taskset -c "$CPU" "$stage/workload" $(workload_args open "$DURATION"))
  for id in $(bpftool prog show | sed -n 's/^\([0-9]*\): .* name \(tl_openat\|tl_exec\) .*/\1/p'); do
    read -r t c < <(bpftool prog show id "$id" | sed -n 's/.*run_time_ns \([0-9]*\) run_cnt \([0-9]*\).*/\1 \2/p')
    if [ "${c:-0}" -gt 0 ]; then
      prog_cost+="$(bpftool prog show id "$id" | sed -n 's/.* name \([a-z0-9_]*\) .*/\1/p;q') $((t / c)) ns per run ($c runs); "
    fi
  done
  sysctl -q -w kernel.bpf_stats_enabled="$was"
  stop_tracer
  prog_cost+="open+close $(field ns_per_op "$res") ns/op in that loop"
  say "program cost: $prog_cost"
  rm -rf "$dir"
}

# ---- report ------------------------------------------------------------------------------------

plot() {
  local dir=$1 png=$2
  local ncol delay_rows
  ncol=$(head -1 "$dir/ratios.dat" | awk -F'\t' '{ print NF }')
  delay_rows=$(grep -vc '^#' "$dir/delay.dat" || true)
  gnuplot <<EOF
set terminal pngcairo size 1500,620 font ",10" noenhanced
set output "$png"
set multiplot layout 1,2 title "twinlane per-event cost (issue 12), $(date -u +%Y-%m-%d), median of $ROUNDS rounds; workload pinned to CPU $CPU"
set title "time per operation / no agent (log scale)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set yrange [0.25:*]
set ytics (0.25, 0.5, 1, 1.25, 2, 5, 10, 20, 50, 100)
set grid ytics
set key top left
set xtics rotate by -15
plot for [i=2:$ncol] "$dir/ratios.dat" using i:xtic(1) title columnheader(i)
unset logscale y
set yrange [*:*]
set ytics autofreq
if ($delay_rows == 0) { unset multiplot; exit }
set title "security.max_delay (every open recorded, open+close): latency vs cost"
set xlabel "open+close time / no agent"
set ylabel "kernel -> appended, us"
set logscale y
set key top center
plot "$dir/delay.dat" using 2:4 with points pt 7 ps 1.5 title "p99", \
     "" using 2:3 with points pt 5 ps 1.5 title "p50", \
     "" using 2:4:5 with labels offset 0,1 notitle, \
     "" using 2:3:5 with labels offset 0,-1 notitle
unset multiplot
EOF
}

report() {
  local md=$OUT/overhead-$stamp.md png=$OUT/overhead-$stamp.png raw=$OUT/overhead-$stamp.txt
  mkdir -p "$OUT"
  local tables
  # shellcheck disable=SC2086
  tables=$(java $jvm_args -cp "$stage/lib/*" dev.twinlane.bench.overhead.OverheadReport "$data" "$stage/plot")
  plot "$stage/plot" "$png" || say "gnuplot failed: no plot"
  cp "$data" "$raw"
  local elapsed=$(($(date +%s) - started))
  {
    echo "# Per-event cost (issue 12): run of $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo "Produced by \`bench/run-overhead.sh\` (ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP CPU=$CPU" \
      "CONFIGS=\"$CONFIGS\" DELAYS=\"$DELAYS\" DELAY_WORKLOADS=\"$DELAY_WORKLOADS\"); every figure below comes from" \
      "this run (raw measurements: [overhead-$stamp.txt](overhead-$stamp.txt)). What each configuration and column" \
      "means: bench/README.md, section \"Per-event cost\"."
    echo
    echo "- host: $(hostname), kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs online"
    echo "- java: $(java -version 2>&1 | head -1); libbpf $(dpkg-query -W -f='${Version}' libbpf1 2>/dev/null || echo '?');" \
      "auditd $(dpkg-query -W -f='${Version}' auditd 2>/dev/null || echo 'not installed')"
    echo "- tree: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench/results' 2>/dev/null || echo ' (with uncommitted changes)') on branch $(git rev-parse --abbrev-ref HEAD)"
    echo "- workloads pinned to CPU $CPU (\`taskset -c $CPU\`, the connect loop's listener too); the agent, the floor and auditd" \
      "were not pinned. $ROUNDS rounds, each running every configuration once, the order rotated per round;" \
      "each workload ran ${DURATION} s per round. After each tracer start (and in \"no agent\" too), a warm-up that is" \
      "not measured: ${WARMUP} s of the open loop, then a quarter of that of each other workload."
    echo "- load average before: $loadavg_before; after: $(cut -d' ' -f1-3 /proc/loadavg). The machine is shared with other" \
      "people's builds: medians over rounds, and the 10 ms-slice ratio beside the whole-run one."
    echo "- run time: $((elapsed / 60)) min $((elapsed % 60)) s"
    echo "- agent: ${hook_line#twinlane: }"
    echo "- floor: \`overhead_floor\` loaded $floor_specs(from the agent's bpf-audit.log, SHA-256 checked) with max_delay 1 ms."
    echo "- connects: preflight found $connect_check."
    echo "- the floor's programs' own time, bpf_stats (run_time_ns / run_cnt) during one more open loop after the rounds," \
      "not a measured one (bpf_stats adds two clock reads per run): $prog_cost"
    echo "- auditd: Debian's auditd.conf as shipped, \`-b 8192 --backlog_wait_time 60000\` (Debian's rules.d defaults)," \
      "rule \`-a always,exit -F arch=b64 -S open,openat,openat2,execve,connect\`; removed and auditd stopped after each round."
    echo
    echo "$tables"
    echo
    echo "![ratio per workload and configuration; latency against cost per max_delay](overhead-$stamp.png)"
  } >"$md"
  echo "$tables"
  say "report: $md, $png (raw: $raw); $((elapsed / 60)) min $((elapsed % 60)) s"
}

# ---- main --------------------------------------------------------------------------------------

install_tools
refuse_if_foreign
build
stage_tools
loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg)
configs=$CONFIGS
for d in $DELAYS; do
  configs+=" all-md$d"
done
needs_agent=0
for c in $configs; do
  case "$c" in none | auditd) ;; *) needs_agent=1 ;; esac
done
hook_line="(no agent run)"
floor_specs=""
connect_check="(not checked)"
prog_cost="(no floor run)"
[ "$needs_agent" = 1 ] && preflight
read -r -a order <<<"$configs"
n=${#order[@]}
for ((round = 1; round <= ROUNDS; round++)); do
  for ((i = 0; i < n; i++)); do
    # Rotate the order every round, so no configuration always runs first or after the same one.
    run_config "${order[$(((i + round - 1) % n))]}" "$round"
  done
done
case " $configs " in *" floor "*) program_cost || say "program cost: not measured (see above)" ;; esac
report
