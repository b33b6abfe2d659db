#!/usr/bin/env bash
# Spark GPU discovery script for NVIDIA nodes: prints the node's GPU indices as Spark's ResourceInformation JSON,
# e.g. {"name":"gpu","addresses":["0","1"]}. Give it to workers (spark.worker.resource.gpu.discoveryScript, or
# start.sh --gpu-discovery-script) or to executors on YARN/Kubernetes (spark.executor.resource.gpu.discoveryScript).
# The job binds a task to device gpu:N for the address N Spark assigned it, so the indices must be the ones CUDA
# sees: in a container nvidia-smi lists only the GPUs given to it, numbered from 0, as CUDA does. Leave
# CUDA_VISIBLE_DEVICES unset on executors (it would renumber the devices behind Spark's back).
set -euo pipefail
indices="$(nvidia-smi --query-gpu=index --format=csv,noheader,nounits | tr -d ' ' | paste -sd, -)"
[ -n "$indices" ] || { echo "gpu-discovery-nvidia.sh: nvidia-smi lists no GPU" >&2; exit 1; }
echo "{\"name\":\"gpu\",\"addresses\":[\"${indices//,/\",\"}\"]}"
