#!/usr/bin/env bash
# Runs an LDM Forge Spark job the way spark-submit would, with the settings its executors need (offline DJL, the
# engine cache, OpenMP threads per task, GPU resources).
#   deploy/submit.sh [options] generate|stream [job options...]
# Options (before the job name; everything after it goes to the job unchanged):
#   --master M               local[*] (default), spark://HOST:PORT, k8s://https://HOST:PORT or yarn
#   --deploy-mode MODE       client or cluster (default: client for local/spark://, cluster for k8s/yarn)
#   --executor-memory M      spark.executor.memory            --driver-memory M   spark.driver.memory
#   --executor-cores N       spark.executor.cores (default with GPUs: gpus x tasks-per-gpu)
#   --num-executors N        spark.executor.instances (k8s, yarn)
#   --cores-per-task N       spark.task.cpus and OMP_NUM_THREADS of the executors (default 1)
#   --gpus-per-executor G    spark.executor.resource.gpu.amount; tasks bind to the gpu address Spark assigns
#                            (not for local mode: give the job --device gpu there)
#   --tasks-per-gpu T        tasks sharing one GPU: spark.task.resource.gpu.amount = 1/T (default 1)
#   --gpu-discovery-script P executor-side discovery script (k8s/yarn default /opt/ldmforge/gpu-discovery-nvidia.sh;
#                            standalone workers announce their own GPUs)
#   --engine-cache-dir DIR   where DJL extracts natives on executors (ENGINE_CACHE_DIR)
#   --image IMAGE            k8s: spark.kubernetes.container.image (see deploy/docker/Dockerfile)
#   --lib-dir DIR            k8s/yarn: the node/image folder holding ldmforge.jar and its dependencies
#                            (default /opt/ldmforge/lib)
#   --conf K=V               any Spark setting (repeatable)
#   --dry-run                print the command instead of running it
# local/spark:// run the driver here with java (as ./ldmforge does); k8s/yarn build a spark-submit command, run it
# when spark-submit is on PATH, print it otherwise.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root/jobs/target"
master="local[*]" deploy_mode="" executor_memory="" driver_memory="" executor_cores="" num_executors=""
cores_per_task=1 gpus=0 tasks_per_gpu=1 discovery="" engine_cache="" image="" lib_dir="/opt/ldmforge/lib"
dry_run=0 confs=() defaults=()

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2; exit 2; }
need() { [ $# -ge 2 ] || { echo "submit.sh: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    generate|stream) break ;;
    --dry-run) dry_run=1; shift; continue ;;
    -h|--help) usage ;;
  esac
  need "$@"
  case "$1" in
    --master) master="$2" ;;
    --deploy-mode) deploy_mode="$2" ;;
    --executor-memory) executor_memory="$2" ;;
    --driver-memory) driver_memory="$2" ;;
    --executor-cores) executor_cores="$2" ;;
    --num-executors) num_executors="$2" ;;
    --cores-per-task) cores_per_task="$2" ;;
    --gpus-per-executor) gpus="$2" ;;
    --tasks-per-gpu) tasks_per_gpu="$2" ;;
    --gpu-discovery-script) discovery="$2" ;;
    --engine-cache-dir) engine_cache="$2" ;;
    --image) image="$2" ;;
    --lib-dir) lib_dir="$2" ;;
    --conf) confs+=("$2") ;;
    *) echo "submit.sh: unknown option $1" >&2; usage ;;
  esac
  shift 2
done
[ $# -gt 0 ] || { echo "submit.sh: name the job: generate or stream" >&2; usage; }
job="$1"; shift
case "$job" in
  generate) main=dev.ldmforge.jobs.generate.GenerateMain ;;
  stream) main=dev.ldmforge.jobs.stream.StreamMain ;;
esac
for n in "$cores_per_task" "$gpus" "$tasks_per_gpu"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "submit.sh: not a whole number: $n" >&2; exit 2; }
done
case "$master" in
  local|local\[*\]|spark://*) kind=here; deploy_mode="${deploy_mode:-client}" ;;
  k8s://*) kind=k8s; deploy_mode="${deploy_mode:-cluster}" ;;
  yarn) kind=yarn; deploy_mode="${deploy_mode:-cluster}" ;;
  *) echo "submit.sh: unsupported master $master (local[*], spark://, k8s://, yarn)" >&2; exit 2 ;;
esac
bad() { echo "submit.sh: $1" >&2; exit 2; }
[ "$kind" = here ] && [ "$deploy_mode" != client ] && bad "$master runs the driver here (client mode)"
[ "$kind" = k8s ] && [ -z "$image" ] && bad "k8s needs --image (see deploy/docker/Dockerfile)"
[ "$gpus" -gt 0 ] && [ "$master" != "${master#local}" ] \
  && bad "local mode has no executors to give GPUs to: pass --device gpu (or gpu:N) to the job instead"

# Executor settings every job needs. Spark's SparkContext itself prepends its module flags (--add-opens ...) to
# spark.executor.extraJavaOptions, so k8s/yarn pass only the offline switch; here jvm-flags.txt is explicit too.
conf() { defaults+=("$1=$2"); } # user --conf values come later and win
java_flags=""
[ "$kind" = here ] && java_flags="$(cat "$target/jvm-flags.txt") "
conf spark.executor.extraJavaOptions "${java_flags}-Dai.djl.offline=true"
conf spark.executorEnv.DJL_OFFLINE true
conf spark.executorEnv.OMP_NUM_THREADS "$cores_per_task"
[ "$cores_per_task" -gt 1 ] && conf spark.task.cpus "$cores_per_task"
[ -n "$engine_cache" ] && conf spark.executorEnv.ENGINE_CACHE_DIR "$engine_cache"
[ -n "$executor_memory" ] && conf spark.executor.memory "$executor_memory"
[ -n "$driver_memory" ] && [ "$kind" != here ] && conf spark.driver.memory "$driver_memory"
[ -n "$num_executors" ] && conf spark.executor.instances "$num_executors"
if [ "$gpus" -gt 0 ]; then
  [ "$tasks_per_gpu" -ge 1 ] || { echo "submit.sh: --tasks-per-gpu must be >= 1" >&2; exit 2; }
  executor_cores="${executor_cores:-$((gpus * tasks_per_gpu * cores_per_task))}"
  task_gpu="$(awk -v t="$tasks_per_gpu" 'BEGIN { printf "%.6g", 1 / t }')"
  conf spark.executor.resource.gpu.amount "$gpus"
  conf spark.task.resource.gpu.amount "$task_gpu"
  case "$kind" in
    k8s) conf spark.executor.resource.gpu.vendor nvidia.com ;;
  esac
  if [ "$kind" != here ]; then
    conf spark.executor.resource.gpu.discoveryScript "${discovery:-/opt/ldmforge/gpu-discovery-nvidia.sh}"
  fi
fi
[ -n "$executor_cores" ] && conf spark.executor.cores "$executor_cores"

if [ "$kind" = here ]; then
  # The driver runs in this JVM (like ./ldmforge): the job takes --master and --conf itself.
  jar="$target/ldmforge.jar"
  if [ "$dry_run" = 0 ] && { [ ! -f "$target/classpath.txt" ] || [ ! -f "$jar" ]; }; then
    (cd "$root" && mvn -q -B -DskipTests package >&2)
  fi
  read -r -a flags < "$target/jvm-flags.txt"
  memory=()
  [ -n "$driver_memory" ] && memory=("-Xmx$driver_memory")
  cmd=(env SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" DJL_OFFLINE=true OMP_NUM_THREADS="$cores_per_task")
  [ -n "$engine_cache" ] && cmd+=(ENGINE_CACHE_DIR="$engine_cache")
  cmd+=(java "${flags[@]}" -Dai.djl.offline=true "${memory[@]}" -cp "@CLASSPATH@" "$main" --master "$master")
  for c in "${defaults[@]}" "${confs[@]}"; do cmd+=(--conf "$c"); done
  cmd+=("$@")
  classpath_shown="$jar:\$(cat $target/classpath.txt)"
else
  # The cluster's own Spark runs the driver; the image (k8s) or a bootstrap action (EMR) put the jars in lib_dir.
  conf spark.driver.extraJavaOptions -Dai.djl.offline=true
  conf spark.driver.extraClassPath "$lib_dir/*"
  conf spark.executor.extraClassPath "$lib_dir/*"
  if [ "$kind" = k8s ]; then
    conf spark.kubernetes.container.image "$image"
    conf spark.kubernetes.driverEnv.DJL_OFFLINE true
    [ -n "$engine_cache" ] && conf spark.kubernetes.driverEnv.ENGINE_CACHE_DIR "$engine_cache"
  else
    conf spark.yarn.appMasterEnv.DJL_OFFLINE true
  fi
  cmd=(spark-submit --master "$master" --deploy-mode "$deploy_mode" --class "$main")
  for c in "${defaults[@]}" "${confs[@]}"; do cmd+=(--conf "$c"); done
  cmd+=("local://$lib_dir/ldmforge.jar" "$@")
  classpath_shown=""
fi

print_command() {
  local out="" a
  for a in "${cmd[@]}"; do
    if [ "$a" = "@CLASSPATH@" ]; then out+="\"$classpath_shown\" "; else out+="$(printf '%q' "$a") "; fi
  done
  echo "${out% }"
}

if [ "$dry_run" = 1 ]; then
  print_command
elif [ "$kind" = here ]; then
  for i in "${!cmd[@]}"; do
    [ "${cmd[$i]}" = "@CLASSPATH@" ] && cmd[$i]="$jar:$(cat "$target/classpath.txt")"
  done
  exec "${cmd[@]}"
elif command -v spark-submit >/dev/null; then
  exec "${cmd[@]}"
else
  echo "submit.sh: spark-submit is not on PATH; run this on a machine with the cluster's Spark:" >&2
  print_command
fi
