#!/bin/sh
# slurm-local.sh: a single-node Slurm on this machine (Debian 12's slurm-wlm
# and munge, daemons started directly, no systemd), to try
# tools/rtm-slurm.sh. Run as root. Not used by `make check`.
#
#   tools/slurm-local.sh start   # install if missing, write /etc/slurm/slurm.conf
#                                # (node localhost, 2 CPUs, partition debug),
#                                # start munged, slurmctld, slurmd; sinfo
#   tools/slurm-local.sh stop    # stop the three daemons (by their pid files)
#
# Then, e.g.:
#   tools/rtm-slurm.sh -d 2018-06-01 samples/jobs/essex-nte.yaml --output=/tmp/slurm-%A_%a.log
#   squeue; scontrol show job JOBID
set -eu
cpus=$(nproc)

# 1 if the pid file names a live process
running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2> /dev/null; }

start() {
  command -v slurmctld > /dev/null && command -v munged > /dev/null ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge
  mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /var/lib/munge \
    /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  [ -s /etc/munge/munge.key ] || { mungekey -c -f 2> /dev/null || /usr/sbin/create-munge-key -f; }
  cat > /etc/slurm/slurm.conf <<EOF
# single-node Slurm on localhost (tools/slurm-local.sh)
ClusterName=local
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  running /run/munge/munged.pid || su -s /bin/sh munge -c "/usr/sbin/munged --force"
  running /run/slurmctld.pid || /usr/sbin/slurmctld
  running /run/slurmd.pid || /usr/sbin/slurmd -N localhost
  n=0
  until sinfo -h -o %T 2> /dev/null | grep -q idle || [ $n -ge 30 ]; do sleep 1; n=$((n + 1)); done
  sinfo
}

stop() {
  for f in /run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid; do
    [ -s "$f" ] && kill "$(cat "$f")" 2> /dev/null || true
  done
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
