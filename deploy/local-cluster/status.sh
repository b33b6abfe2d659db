#!/usr/bin/env bash
# Shows what start.sh started in a work dir: each daemon from its pid file, the executors below the workers, and the
# workers the master reports.
#   deploy/local-cluster/status.sh [--work-dir DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$here/.run"
[ "${1:-}" = --work-dir ] && work="$2"
compgen -G "$work/pids/*.pid" >/dev/null || { echo "no cluster in $work"; exit 1; }
echo "master: $(cat "$work/master-url" 2>/dev/null || echo '?')   web UI: $(cat "$work/master-webui" 2>/dev/null || echo '?')"
for f in "$work"/pids/*.pid; do
  pid="$(cat "$f")"
  # A killed daemon whose parent has not reaped it yet is a zombie (state Z): stopped too.
  st="$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)"
  state=stopped
  [ -n "$st" ] && [ "$st" != Z ] && state=running
  executors="$(pgrep -P "$pid" | tr '\n' ' ' || true)"
  echo "$(basename "$f" .pid): pid $pid $state${executors:+, executor pids $executors}"
done
if [ -f "$work/master-webui" ]; then
  alive="$(curl -fsS "$(cat "$work/master-webui")/json/" 2>/dev/null | grep -c '"state" *: *"ALIVE"' || true)"
  echo "workers ALIVE at the master: $alive"
fi
