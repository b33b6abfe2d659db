#!/usr/bin/env bash
# Stops what start.sh started in a work dir, by its pid files (never by process name): workers first (SIGTERM, wait),
# then the master, then anything left in their process groups (the executors the workers spawned).
#   deploy/local-cluster/stop.sh [--work-dir DIR]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$here/.run"
while [ $# -gt 0 ]; do
  case "$1" in
    --work-dir) work="$2"; shift 2 ;;
    *) echo "stop.sh: unknown argument $1 (usage: stop.sh [--work-dir DIR])" >&2; exit 2 ;;
  esac
done
pids="$work/pids"
compgen -G "$pids/*.pid" >/dev/null || { echo "stop.sh: nothing to stop in $work" >&2; exit 0; }
work="$(cd "$work" && pwd)"

# Each daemon was started by setsid: its pid is also its process group id, shared by the executors it spawned.
# (Linux reuses no pid while a process group of that id exists, so the group id stays ours while anything is in it.)
group_alive() { kill -0 -- "-$1" 2>/dev/null; }
# A pid file left by a crashed run may name a pid reused since: ours only if it runs on this work dir's SPARK_HOME.
# grep reads the whole command line (no -q): under pipefail, tr's SIGPIPE from an early exit would read as "not ours".
ours() { tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -F "$work/spark-home" >/dev/null; }

wait_group() { # pgid, seconds
  local end=$((SECONDS + $2))
  while group_alive "$1" && [ "$SECONDS" -lt "$end" ]; do sleep 0.2; done
  ! group_alive "$1"
}

stop_daemon() { # pid file
  local file="$1" pid
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null && ours "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true # a worker kills its executors on the way out
    wait_group "$pid" 15 || true
  fi
  if group_alive "$pid"; then # executors left behind (e.g. by a worker killed with SIGKILL)
    kill -TERM -- "-$pid" 2>/dev/null || true
    wait_group "$pid" 5 || { kill -KILL -- "-$pid" 2>/dev/null || true; wait_group "$pid" 5; } \
      || echo "stop.sh: process group $pid still alive" >&2
  fi
  rm -f "$file"
}

for f in "$pids"/worker-*.pid; do
  [ -e "$f" ] && stop_daemon "$f"
done
[ -e "$pids/master.pid" ] && stop_daemon "$pids/master.pid"
rm -f "$work/master-url" "$work/master-webui"
echo "stop.sh: stopped the cluster in $work" >&2
