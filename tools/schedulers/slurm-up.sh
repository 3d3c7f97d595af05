#!/usr/bin/env bash
# Starts a single-node Slurm (Debian slurm-wlm 22.05, munge) for sweval's integration tests, as root.
# Idempotent; SLURM_RESET=1 forgets earlier jobs. No slurmdbd: finished jobs stay visible to squeue/scontrol
# for MinJobAge (300 s) and sacct -c reads the completion log. No GPUs (gres) are configured.
set -euo pipefail
conf=/etc/slurm/slurm.conf
state=/var/lib/slurm
logs=/var/log/slurm
run=/run/slurm
host=$(hostname)
say() { echo "[sweval slurm-up] $*" >&2; }
fail() { say "ERROR: $*"; exit 1; }
running() { local pid; pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] && [ -n "$(ps -o stat= -p "$pid" 2>/dev/null)" ] && [ "$(ps -o stat= -p "$pid" | cut -c1)" != Z ]; }
retry() { local until=$(( $(date +%s) + $1 )); shift; until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$until" ] || return 1; sleep 0.5; done; }

if ! dpkg-query -W -f='${Status}' slurmctld 2>/dev/null | grep -q "ok installed"; then
  say "installing slurm"
  policy=0; [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; policy=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends slurmctld slurmd slurm-client munge >&2 ||
    { apt-get update -q >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends slurmctld slurmd slurm-client munge >&2; }
  [ $policy = 1 ] && rm -f /usr/sbin/policy-rc.d
fi

[ -s /etc/munge/munge.key ] || { mkdir -p /etc/munge; dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; }
mkdir -p /run/munge /var/lib/munge /var/log/munge
chown munge:munge /etc/munge /etc/munge/munge.key /run/munge /var/lib/munge /var/log/munge
chmod 700 /etc/munge; chmod 400 /etc/munge/munge.key; chmod 755 /run/munge
running /run/munge/munged.pid || { rm -f /run/munge/munged.pid; runuser -u munge -- /usr/sbin/munged >&2 || fail "munged did not start"; }
retry 30 bash -c 'munge -n | unmunge' || fail "munge credentials do not verify"

mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
mkdir -p /etc/slurm "$state/slurmctld" "$state/slurmd" "$logs" "$run"
cat > "$conf" <<CONF
# Written by sweval tools/schedulers/slurm-up.sh: a single-node test cluster.
ClusterName=sweval
SlurmctldHost=$host
SlurmUser=slurm
AuthType=auth/munge
StateSaveLocation=$state/slurmctld
SlurmdSpoolDir=$state/slurmd
SlurmctldPidFile=$run/slurmctld.pid
SlurmdPidFile=$run/slurmd.pid
SlurmctldLogFile=$logs/slurmctld.log
SlurmdLogFile=$logs/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$logs/jobcomp.log
MinJobAge=300
EnforcePartLimits=ALL
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=$host CPUs=${SLURM_CPUS:-4} RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
chmod 644 "$conf"
chown slurm:slurm "$state" "$state/slurmctld" "$logs" "$run"

flags=()
if [ "${SLURM_RESET:-0}" = 1 ]; then
  running "$run/slurmctld.pid" && { kill "$(cat "$run/slurmctld.pid")"; retry 30 bash -c "! kill -0 $(cat "$run/slurmctld.pid") 2>/dev/null" || true; }
  rm -f "$logs/jobcomp.log" "$run/slurmctld.pid"
  flags=(-c)
fi
running "$run/slurmctld.pid" || { say "starting slurmctld"; /usr/sbin/slurmctld "${flags[@]}" >&2 || fail "slurmctld did not start"; }
retry 120 scontrol ping || fail "slurmctld does not answer"
running "$run/slurmd.pid" || { say "starting slurmd"; rm -f "$run/slurmd.pid"; /usr/sbin/slurmd >&2 || fail "slurmd did not start"; }
ready() { sinfo -h -n "$host" -o '%T' 2>/dev/null | grep -Eqx 'idle|mixed|allocated|completing'; }
retry 15 ready || { scontrol update NodeName="$host" State=RESUME >&2 || true; retry 120 ready || fail "node $host is not ready: $(sinfo -h -n "$host" -o '%T %E' 2>&1)"; }
(cd /tmp && timeout 120 sbatch --wait -J sweval-check -o /dev/null -t 1 --wrap true >/dev/null 2>&1) || fail "the test job did not run"
say "ready (partition debug on $host)"
echo "export SLURM_CONF=$conf"
