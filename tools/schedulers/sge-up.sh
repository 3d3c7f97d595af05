#!/usr/bin/env bash
# Starts a single-node Son of Grid Engine (Debian gridengine 8.1.9) for sweval's integration tests, as root.
# Idempotent; SGE_RESET=1 wipes earlier jobs and accounting. Progress on stderr; exits non-zero with a reason.
# Configured for the tests: root may run jobs, 1 s scheduling, unbuffered accounting (qacct right after a
# job), /bin/bash with the script's #! honoured, and consumables named like TSUBAME4's resource types
# (node_q=1, cpu_4=1, … are accepted; they limit nothing real).
set -euo pipefail
export SGE_ROOT=/var/lib/gridengine SGE_CELL=default
export SGE_QMASTER_PIDFILE=/var/run/gridengine/qmaster.pid SGE_EXECD_PIDFILE=/var/run/gridengine/execd.pid
spool=/var/spool/gridengine
run=/var/run/gridengine
host=$(hostname)
types="node_f node_h node_q node_o gpu_1 gpu_h cpu_160 cpu_80 cpu_40 cpu_16 cpu_8 cpu_4"
say() { echo "[sweval sge-up] $*" >&2; }
fail() { say "ERROR: $*"; exit 1; }
running() { local pid; pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] && [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != "" ] && [ "$(ps -o stat= -p "$pid" | cut -c1)" != Z ]; }
retry() { local until=$(( $(date +%s) + $1 )); shift; until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$until" ] || return 1; sleep 0.5; done; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

if ! dpkg-query -W -f='${Status}' gridengine-master 2>/dev/null | grep -q "ok installed"; then
  say "installing gridengine"
  printf '%s\n' "gridengine-common shared/gridengineconfig boolean true" "gridengine-common shared/gridenginecell string $SGE_CELL" \
    "gridengine-common shared/gridenginemaster string $host" | debconf-set-selections
  # No systemd here: keep the package scripts from starting daemons (a failed start fails the install).
  policy=0; [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; policy=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends gridengine-master gridengine-exec gridengine-client >&2 ||
    { apt-get update -q >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends gridengine-master gridengine-exec gridengine-client >&2; }
  [ $policy = 1 ] && rm -f /usr/sbin/policy-rc.d
fi

if [ "${SGE_RESET:-0}" = 1 ]; then
  say "resetting the cell"
  for f in execd qmaster; do running "$run/$f.pid" && kill -9 "$(cat "$run/$f.pid")" 2>/dev/null || true; rm -f "$run/$f.pid"; done
  sleep 1
  rm -rf "$spool/spooldb" "$spool/qmaster" "$spool/execd" "${SGE_ROOT:?}/$SGE_CELL"
fi
mkdir -p "$SGE_ROOT/$SGE_CELL/common" "$spool/qmaster/job_scripts" "$spool/spooldb" "$spool/execd" "$run"
chown sgeadmin:sgeadmin "$SGE_ROOT" "$SGE_ROOT/$SGE_CELL" "$SGE_ROOT/$SGE_CELL/common" "$spool/qmaster" "$spool/qmaster/job_scripts" "$spool/spooldb" "$spool/execd" "$run"
[ -s "$SGE_ROOT/$SGE_CELL/common/bootstrap" ] || install -m 0644 -o sgeadmin -g sgeadmin /usr/share/gridengine/default-bootstrap "$SGE_ROOT/$SGE_CELL/common/bootstrap"
[ -e "$spool/spooldb/sge" ] || su -s /bin/sh -c "/usr/share/gridengine/scripts/init_cluster $SGE_ROOT $SGE_CELL $spool/spooldb sgeadmin" sgeadmin >&2 || fail "init_cluster failed"

# SGE refuses a client whose address resolves to another name than it claims (127.0.0.1 → localhost here):
# host_aliases makes all of this host's names one host.
getent hosts "$host" >/dev/null || echo "127.0.0.1 $host" >> /etc/hosts
aliases=$( { getent hosts 127.0.0.1; for ip in $(getent ahostsv4 "$host" | awk '{print $1}' | sort -u); do getent hosts "$ip"; done; } 2>/dev/null |
  awk '{for (i = 2; i <= NF; i++) print $i}' | sort -u | grep -vxF "$host" | tr '\n' ' ' || true)
echo "$host ${aliases% }" > "$SGE_ROOT/$SGE_CELL/common/host_aliases"
echo "$host" > "$SGE_ROOT/$SGE_CELL/common/act_qmaster"
# qmaster rewrites this file as the admin user.
chown sgeadmin:sgeadmin "$SGE_ROOT/$SGE_CELL/common/act_qmaster"

running "$run/qmaster.pid" || { say "starting sge_qmaster"; rm -f "$run/qmaster.pid"; /usr/sbin/sge_qmaster >&2 || fail "sge_qmaster did not start"; }
retry 60 qconf -sh || fail "qmaster does not answer: $(qconf -sh 2>&1 | head -n 2)"

# Configure before sge_execd starts: it reads the global configuration (min_uid) only at start.
qconf -sh | grep -qxF "$host" || qconf -ah "$host" >&2
qconf -ss | grep -qxF "$host" || qconf -as "$host" >&2
qconf -sconf global | sed -e 's/^min_uid .*/min_uid 0/' -e 's/^min_gid .*/min_gid 0/' -e 's/^load_report_time .*/load_report_time 00:00:05/' \
  -e 's/^reporting_params .*/reporting_params accounting=true reporting=false flush_time=00:00:15 joblog=false sharelog=00:00:00 accounting_flush_time=00:00:00/' > "$work/global"
qconf -Mconf "$work/global" >&2 || true
qconf -ssconf | sed -e 's/^schedule_interval .*/schedule_interval 0:0:1/' -e 's/^flush_submit_sec .*/flush_submit_sec 1/' -e 's/^flush_finish_sec .*/flush_finish_sec 1/' > "$work/sched"
qconf -Msconf "$work/sched" >&2 || true
qconf -sc > "$work/complex"
added=0; values=""
for type in $types; do
  grep -q "^$type " "$work/complex" || { printf '%-19s %-10s INT <= YES YES 0 0\n' "$type" "$type" >> "$work/complex"; added=1; }
  values+="$type=1000,"
done
[ $added = 0 ] || qconf -Mc "$work/complex" >&2
qconf -se global | grep -q 'node_f=1000' || qconf -mattr exechost complex_values "${values%,}" global >&2
qconf -sel 2>/dev/null | grep -qxF "$host" || { printf 'hostname %s\nload_scaling NONE\ncomplex_values NONE\nuser_lists NONE\nxuser_lists NONE\nprojects NONE\nxprojects NONE\nusage_scaling NONE\nreport_variables NONE\n' "$host" > "$work/exec"; qconf -Ae "$work/exec" >&2; }
qconf -shgrpl 2>/dev/null | grep -qx '@allhosts' || { printf 'group_name @allhosts\nhostlist %s\n' "$host" > "$work/hg"; qconf -Ahgrp "$work/hg" >&2; }
if ! qconf -sql 2>/dev/null | grep -qx all.q; then
  qconf -sq | sed -e 's/^qname .*/qname all.q/' -e 's/^hostlist .*/hostlist @allhosts/' -e 's/^load_thresholds .*/load_thresholds NONE/' -e 's/^pe_list .*/pe_list NONE/' \
    -e "s/^slots .*/slots ${SGE_SLOTS:-4}/" -e 's#^shell .*#shell /bin/bash#' -e 's/^shell_start_mode .*/shell_start_mode unix_behavior/' > "$work/q"
  qconf -Aq "$work/q" >&2
fi

running "$run/execd.pid" || { say "starting sge_execd"; rm -f "$run/execd.pid"; /usr/sbin/sge_execd >&2 || fail "sge_execd did not start"; }
ready() { local line; line=$(qstat -f -q all.q 2>/dev/null | grep '^all\.q@' | head -n 1); [ -n "$line" ] && [ "$(echo "$line" | awk '{print NF}')" -eq 5 ]; }
retry 15 ready || { qmod -c all.q >&2 || true; qmod -e all.q >&2 || true; retry 120 ready || fail "queue all.q is not ready: $(qstat -f -q all.q 2>&1 | tail -n 1)"; }
(cd /tmp && timeout 120 qsub -sync y -b y -N sweval-check -o /dev/null -j y -l h_rt=0:01:00 /bin/true >/dev/null 2>&1) || fail "the test job did not run"
say "ready (queue all.q on $host)"
printf 'export SGE_ROOT=%s\nexport SGE_CELL=%s\n' "$SGE_ROOT" "$SGE_CELL"
