#!/usr/bin/env bash
# Starts a Spark standalone master and N workers on 127.0.0.1 from the project's own resolved jars (no Spark
# download) and prints the master URL on its last line once every worker is registered.
#   deploy/local-cluster/start.sh --workers 2 [--gpus-per-worker 1] [--cores-per-worker 1] [--memory-per-worker 1g]
#                                 [--work-dir DIR] [--gpu-discovery-script FILE] [--classpath CP]
# --classpath replaces the built jobs/target/ldmforge.jar + classpath.txt (tests pass their own); its directories
# cannot go into SPARK_HOME/jars: give them to executors with spark.executor.extraClassPath.
# Stop with deploy/local-cluster/stop.sh (same --work-dir). Logs: DIR/logs/, executor logs: DIR/worker-*/app-*/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
workers="" gpus=0 cores=1 memory=1g work="$here/.run" discovery="" classpath_arg=""

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --workers) workers="$2"; shift 2 ;;
    --gpus-per-worker) gpus="$2"; shift 2 ;;
    --cores-per-worker) cores="$2"; shift 2 ;;
    --memory-per-worker) memory="$2"; shift 2 ;;
    --work-dir) work="$2"; shift 2 ;;
    --gpu-discovery-script) discovery="$2"; shift 2 ;;
    --classpath) classpath_arg="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "start.sh: unknown argument $1" >&2; usage ;;
  esac
done
[[ "$workers" =~ ^[1-9][0-9]*$ ]] || { echo "start.sh: --workers N (N >= 1) is required" >&2; usage; }
[[ "$gpus" =~ ^[0-9]+$ && "$cores" =~ ^[1-9][0-9]*$ ]] || { echo "start.sh: bad --gpus/--cores value" >&2; exit 2; }

mkdir -p "$work"
work="$(cd "$work" && pwd)"
pids="$work/pids"
if compgen -G "$pids/*.pid" >/dev/null; then
  echo "start.sh: $work already has a running cluster (pid files in $pids); run stop.sh --work-dir $work" >&2
  exit 1
fi
mkdir -p "$pids" "$work/logs"

# The project's runtime classpath; built once when missing.
target="$root/jobs/target"
if [ ! -f "$target/jvm-flags.txt" ] || { [ -z "$classpath_arg" ] && \
     { [ ! -f "$target/ldmforge.jar" ] || [ ! -f "$target/classpath.txt" ]; }; }; then
  echo "start.sh: building the project (mvn -q -DskipTests package) ..." >&2
  (cd "$root" && mvn -q -B -DskipTests package >&2)
fi
runtime_classpath="${classpath_arg:-$target/ldmforge.jar:$(cat "$target/classpath.txt")}"

# Fake SPARK_HOME: jars/ holds one symlink per runtime jar. Rebuilt only when the classpath changed.
spark_home="$work/spark-home"
stamp="$spark_home/classpath.txt"
if [ "$runtime_classpath" != "$(cat "$stamp" 2>/dev/null)" ]; then
  rm -rf "$spark_home"
  mkdir -p "$spark_home/jars" "$spark_home/conf"
  tr ':' '\n' <<< "$runtime_classpath" | while read -r jar || [ -n "$jar" ]; do
    case "$jar" in
      *.jar) ln -sf "$jar" "$spark_home/jars/$(basename "$jar")" ;;
      ?*) echo "start.sh: $jar is not a jar: not in SPARK_HOME/jars (use spark.executor.extraClassPath)" >&2 ;;
    esac
  done
  cat > "$spark_home/conf/log4j2.properties" <<'LOG'
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
logger.master.name = org.apache.spark.deploy
logger.master.level = info
LOG
  printf '%s' "$runtime_classpath" > "$stamp"
fi

java_bin="java"
[ -n "${JAVA_HOME:-}" ] && java_bin="$JAVA_HOME/bin/java"
read -r -a jvm_flags < "$target/jvm-flags.txt"
classpath="$spark_home/conf:$spark_home/jars/*"

# What every Spark JVM here (and, through the worker's environment, every executor) needs.
export SPARK_HOME="$spark_home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
export DJL_OFFLINE=true ENGINE_CACHE_DIR="${ENGINE_CACHE_DIR:-$HOME/.djl.ai}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$cores}"

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  echo "start.sh: no free port found" >&2; exit 1
}

# Each daemon leads its own process group (setsid), so stop.sh can also reach the executors it spawned.
launch() { # name, main class, args...
  local name="$1" main="$2"; shift 2
  setsid "$java_bin" "${jvm_flags[@]}" -Xmx512m -Dlog4j.configurationFile="$spark_home/conf/log4j2.properties" \
    "${daemon_props[@]}" -cp "$classpath" "$main" "$@" > "$work/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$pids/$name.pid"
}

fail() {
  echo "start.sh: $1; last log lines:" >&2
  tail -n 20 "$work"/logs/*.log >&2 || true
  "$here/stop.sh" --work-dir "$work" >&2 || true
  exit 1
}

port="$(free_port)"
ui_port="$(free_port)"
master="spark://127.0.0.1:$port"
daemon_props=()
launch master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port "$ui_port"

if [ "$gpus" -gt 0 ]; then
  if [ -z "$discovery" ]; then
    discovery="$work/gpu-discovery-fake.sh"
    addresses="$(seq -s '","' 0 $((gpus - 1)))"
    printf '#!/usr/bin/env bash\n# Fake GPUs for machines without any: announces %s address(es).\necho %s\n' \
      "$gpus" "'{\"name\":\"gpu\",\"addresses\":[\"$addresses\"]}'" > "$discovery"
    chmod +x "$discovery"
  fi
  daemon_props=(-Dspark.worker.resource.gpu.amount="$gpus" -Dspark.worker.resource.gpu.discoveryScript="$discovery")
fi
for i in $(seq 1 "$workers"); do
  mkdir -p "$work/worker-$i"
  launch "worker-$i" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores "$cores" \
    --memory "$memory" --webui-port 0 --work-dir "$work/worker-$i" "$master"
done
echo "$master" > "$work/master-url"
echo "http://127.0.0.1:$ui_port" > "$work/master-webui"

# Ready when the master's /json/ lists N ALIVE workers.
deadline=$((SECONDS + ${LDMFORGE_CLUSTER_TIMEOUT:-90}))
while :; do
  alive="$(curl -fsS "http://127.0.0.1:$ui_port/json/" 2>/dev/null | grep -o '"state" *: *"ALIVE"' | wc -l || true)"
  [ "$alive" -ge "$workers" ] && break
  for f in "$pids"/*.pid; do
    kill -0 "$(cat "$f")" 2>/dev/null || fail "$(basename "$f" .pid) exited"
  done
  [ "$SECONDS" -lt "$deadline" ] || fail "only $alive of $workers workers registered in time"
  sleep 0.5
done
echo "start.sh: $workers worker(s) alive (cores $cores, memory $memory, gpus $gpus each); web UI http://127.0.0.1:$ui_port" >&2
echo "$master"
