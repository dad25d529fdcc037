#!/usr/bin/env bash
# End-to-end test of `cadre-sim sweep --slurm` against a real Slurm (outside `cargo test`).
#
#   tests/slurm_e2e.sh            # as root on Debian 12; installs slurm-wlm + munge if missing
#
# It starts a single-node cluster on localhost without systemd (munged, slurmctld, slurmd,
# each started by this script with its PID recorded), builds the release binary, writes the
# sbatch script of a 4-task job array with `--slurm 4`, submits it with sbatch, waits by
# polling squeue, merges the shards with `cadre-sim merge`, and compares points.csv,
# results.csv and the heatmaps byte for byte with a one-machine run of the same sweep. The
# daemons are stopped by their recorded PIDs on exit, success or failure (trap); nothing else is signalled.
#
# Environment: SLURM_E2E_DIR (work folder, default /tmp/cadre-slurm-e2e), SLURM_CTLD_PORT /
# SLURM_SLURMD_PORT (default 6817 / 6818), SLURM_E2E_TIMEOUT (seconds to wait for the job,
# default 300), CADRE_SIM (a prebuilt binary; default: cargo build --release).
# Based on the tested recipe in shared/recipes/slurm-local.sh (see its pitfalls).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BASE=${SLURM_E2E_DIR:-/tmp/cadre-slurm-e2e}
CTLD_PORT=${SLURM_CTLD_PORT:-6817}
SLURMD_PORT=${SLURM_SLURMD_PORT:-6818}
TIMEOUT=${SLURM_E2E_TIMEOUT:-300}
NODE=localhost
CONF=/etc/slurm/slurm.conf
PIDS=$BASE/pids
TASKS=4

log() { printf '[%(%H:%M:%S)T] slurm_e2e: %s\n' -1 "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
T0=$(date +%s.%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

[[ $(id -u) -eq 0 ]] || die "run as root (it installs packages and starts munged/slurmd)"

# --- daemons: only processes recorded in $PIDS are ever signalled ------------------------
running() {  # PID exists and is not a zombie (dead daemons can linger as zombies here)
    local st
    st=$(awk '{print $3}' /proc/"$1"/stat 2>/dev/null) || return 1
    [[ -n $st && $st != Z && $st != X ]]
}
alive() {  # $PIDS/NAME.pid holds a live process whose comm is NAME (comm, not exe: links)
    local f=$PIDS/$1.pid pid
    [[ -s $f ]] || return 1
    pid=$(<"$f")
    running "$pid" && [[ $(cat /proc/"$pid"/comm 2>/dev/null) == "$1" ]]
}
port_busy() { ss -Htln "sport = :$1" | grep -q .; }

start_daemon() {  # NAME CMD...: foreground mode, own session, PID recorded
    local name=$1; shift
    setsid "$@" </dev/null >>"$BASE/log/$name.out" 2>&1 &
    echo $! > "$PIDS/$name.pid"
    STARTED+=("$name")
    sleep 0.3
    alive "$name" || { tail -20 "$BASE/log/$name.out" >&2; die "$name failed to start"; }
    log "$name started (pid $(<"$PIDS/$name.pid"))"
}

STARTED=()
stop_daemons() {
    local rc=$? name pid i
    if alive slurmctld; then
        squeue -h -o %A 2>/dev/null | sort -u | xargs -r scancel --quiet 2>/dev/null || true
    fi
    for name in slurmd slurmctld munged; do
        [[ " ${STARTED[*]} " == *" $name "* ]] || continue
        if alive "$name"; then
            pid=$(<"$PIDS/$name.pid")
            kill -TERM "$pid"
            for ((i = 0; i < 100; i++)); do running "$pid" || break; sleep 0.1; done
            if running "$pid"; then kill -KILL "$pid"; fi
            log "stopped $name (pid $pid)"
        fi
        rm -f "$PIDS/$name.pid"
    done
    if (( rc == 0 )); then log "PASS in $(elapsed)s"; else log "failed (exit $rc) after $(elapsed)s; logs in $BASE/log"; fi
}
trap stop_daemons EXIT

wait_until() {  # TIMEOUT DESCRIPTION CMD...
    local t=$1 what=$2 i; shift 2
    for ((i = 0; i < t * 5; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
    die "timeout (${t}s) waiting for $what"
}

# --- install ------------------------------------------------------------------------------
install_packages() {
    local pkgs=(slurm-wlm slurmctld slurmd munge slurm-client)
    command -v ss >/dev/null || pkgs+=(iproute2)   # minimal images lack ss (port checks)
    if [[ $(dpkg-query -W -f='${db:Status-Status}\n' "${pkgs[@]}" 2>/dev/null | grep -c '^installed$') -eq ${#pkgs[@]} ]]; then
        log "slurm-wlm and munge already installed"; return
    fi
    # No systemd: keep the packages' init scripts from starting daemons we could not track.
    local own_policy=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; own_policy=1
    fi
    [[ -n $(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit) ]] || apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${pkgs[@]}" >/dev/null
    if (( own_policy )); then rm -f /usr/sbin/policy-rc.d; fi
    log "installed ${pkgs[*]} ($(elapsed)s)"
}

# --- configure and start --------------------------------------------------------------------
start_cluster() {
    mkdir -p "$BASE"/{state,spool,log,pids}
    alive slurmctld && die "a slurmctld recorded in $PIDS is still running; stop it first"
    port_busy "$CTLD_PORT" && die "port $CTLD_PORT busy (set SLURM_CTLD_PORT)"
    port_busy "$SLURMD_PORT" && die "port $SLURMD_PORT busy (set SLURM_SLURMD_PORT)"
    rm -rf "$BASE/state" "$BASE/spool"; mkdir -p "$BASE/state" "$BASE/spool"  # no jobs from earlier runs
    if [[ -S /run/munge/munge.socket.2 ]] && munge -n </dev/null >/dev/null 2>&1; then
        die "a munged this script did not start already serves /run/munge"
    fi
    install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
    install -d -o munge -g munge -m 0755 /run/munge
    if [[ ! -s /etc/munge/munge.key ]]; then
        if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key
        else dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; fi
    fi
    chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key

    local hw cpus boards sockets cores threads mem
    hw=$(slurmd -C | head -1)
    get() { sed -n "s/.*[[:space:]]$1=\([0-9]*\).*/\1/p" <<<"$hw"; }
    cpus=$(get CPUs); boards=$(get Boards); sockets=$(get SocketsPerBoard)
    cores=$(get CoresPerSocket); threads=$(get ThreadsPerCore); mem=$(get RealMemory)
    [[ -n $cpus && -n $mem ]] || die "cannot parse 'slurmd -C': $hw"
    mem=$(( mem * 95 / 100 ))   # never drained for "Low RealMemory"
    mkdir -p /etc/slurm
    cat > "$CONF" <<EOF
# generated by cadre-sim tests/slurm_e2e.sh
ClusterName=cadree2e
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
CryptoType=crypto/munge
StateSaveLocation=$BASE/state
SlurmdSpoolDir=$BASE/spool
SlurmctldPidFile=$BASE/state/slurmctld.pid
SlurmdPidFile=$BASE/spool/slurmd.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=300
NodeName=$NODE NodeAddr=127.0.0.1 NodeHostname=$NODE CPUs=$cpus Boards=$boards SocketsPerBoard=$sockets CoresPerSocket=$cores ThreadsPerCore=$threads RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
    start_daemon munged setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged -F
    wait_until 10 "munge socket" bash -c 'munge -n </dev/null | unmunge'
    start_daemon slurmctld /usr/sbin/slurmctld -D
    wait_until 30 "slurmctld to answer" scontrol ping
    start_daemon slurmd /usr/sbin/slurmd -D -N "$NODE"
    local i st
    for ((i = 0; i < 150; i++)); do
        st=$(sinfo -h -N -n "$NODE" -o %T 2>/dev/null | head -1)
        case $st in
            idle*|mixed*|allocated*) log "node $NODE is $st ($(elapsed)s)"; return ;;
            down*|drain*|fail*) scontrol update nodename="$NODE" state=resume 2>/dev/null || true ;;
        esac
        sleep 0.2
    done
    scontrol show node "$NODE" >&2; die "node $NODE not usable (state=$st)"
}

# --- the test -------------------------------------------------------------------------------
install_packages
start_cluster

if [[ -n ${CADRE_SIM:-} ]]; then
    BIN=$(realpath "$CADRE_SIM")
else
    (cd "$REPO" && cargo build --release --quiet)
    BIN=$REPO/target/release/cadre-sim
fi
[[ -x $BIN ]] || die "no binary at $BIN"

WORK=$BASE/work
rm -rf "$WORK"; mkdir -p "$WORK"
# A 24-point grid, small enough to take seconds, with a relative base path.
cat > "$WORK/base.toml" <<'EOF'
base = "optimized_path"
[population]
cadres = 300
[run]
steps = 24
EOF
cat > "$WORK/e2e.toml" <<'EOF'
name = "e2e"
base = "base.toml"
replicates = 4
window = 6
[[axis]]
param = "regime.severity"
from = 0
to = 6
points = 6
[[axis]]
param = "regime.sensitivity"
values = [0.0, 0.3, 0.6, 0.9]
EOF

log "one-machine run"
"$BIN" sweep "$WORK/e2e.toml" --out "$WORK/local" --quiet >/dev/null

log "generating the job array script (--slurm $TASKS)"
"$BIN" sweep "$WORK/e2e.toml" --out "$WORK/cluster" --slurm "$TASKS" --time 00:10:00 --cpus-per-task 1 >&2
SCRIPT=$WORK/cluster/slurm/sweep.sbatch
[[ -s $SCRIPT ]] || die "no script at $SCRIPT"

JOB=$(sbatch --parsable "$SCRIPT"); JOB=${JOB%%;*}
log "submitted job array $JOB"
for ((i = 0; i < TIMEOUT * 4; i++)); do   # poll squeue: sbatch --wait polls at 2, 10, 42 s...
    [[ -z $(squeue -h -j "$JOB" 2>/dev/null) ]] && break
    sleep 0.25
done
[[ -z $(squeue -h -j "$JOB") ]] || { squeue -j "$JOB" >&2; die "job $JOB still queued after ${TIMEOUT}s"; }
BAD=$(scontrol -o show job "$JOB" | grep -Ev 'JobState=COMPLETED .*ExitCode=0:0' || true)
if [[ -n $BAD ]]; then
    echo "$BAD" >&2; tail -n 20 "$WORK"/cluster/slurm/*.out >&2 || true
    die "some array tasks did not complete"
fi
TASKS_DONE=$(find "$WORK/cluster/shards" -name "*-of-$TASKS.done" | wc -l)
[[ $TASKS_DONE -eq $TASKS ]] || die "$TASKS_DONE of $TASKS shards left a completion marker"
log "job $JOB: $TASKS tasks completed ($(elapsed)s)"

[[ -z $(find "$WORK/cluster" -maxdepth 1 -name 'heatmap_*' -print -quit) ]] || die "shards drew plots"
"$BIN" merge "$WORK/cluster" >&2
plots=("$WORK"/local/heatmap_*.png)
[[ ${#plots[@]} -eq 6 && -s ${plots[0]} ]] || die "the one-machine run drew no heatmaps"
for f in points.csv results.csv "${plots[@]##*/}"; do
    cmp "$WORK/local/$f" "$WORK/cluster/$f" || die "$f differs between the Slurm run and the one-machine run"
done
log "merged Slurm results equal the one-machine run byte for byte ($(wc -l < "$WORK/local/results.csv") lines of results.csv)"
