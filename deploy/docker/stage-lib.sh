#!/usr/bin/env bash
# Copies LDM Forge's jar and the runtime jars it needs beyond a platform's own Spark into OUT/lib, for an executor
# image or an EMR bootstrap (/opt/ldmforge/lib). A jar is left out when the platform already ships the same
# artifact (any version): the platform's Spark, Hadoop, Scala, Jackson, Netty ... win.
#   deploy/docker/stage-lib.sh OUT [PLATFORM_JARS]
# PLATFORM_JARS: a file listing the platform's jar names, e.g. `ls /usr/lib/spark/jars` on an EMR node or
# `docker run --rm apache/spark:4.2.0-scala2.13-java17-ubuntu ls /opt/spark/jars`. Without it every jar is copied
# (the Dockerfile then filters against its base image itself).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:?usage: stage-lib.sh OUT [PLATFORM_JARS]}"
platform="${2:-}"
target="$root/jobs/target"
[ -f "$target/ldmforge.jar" ] && [ -f "$target/classpath.txt" ] || (cd "$root" && mvn -q -B -DskipTests package)

artifact() { basename "$1" .jar | sed -E 's/-[0-9][^-]*(-.*)?$//'; } # jackson-core-2.21.1.jar -> jackson-core
declare -A provided=()
if [ -n "$platform" ]; then
  while read -r jar || [ -n "$jar" ]; do
    [ -n "$jar" ] && provided["$(artifact "$jar")"]=1
  done < "$platform"
fi
mkdir -p "$out/lib"
cp "$target/ldmforge.jar" "$out/lib/"
kept=1 skipped=0
while read -r jar || [ -n "$jar" ]; do
  [ -n "$jar" ] || continue
  if [ -n "${provided[$(artifact "$jar")]:-}" ]; then skipped=$((skipped + 1)); else cp "$jar" "$out/lib/"; kept=$((kept + 1)); fi
done < <(tr ':' '\n' < "$target/classpath.txt")
cp "$root/deploy/local-cluster/gpu-discovery-nvidia.sh" "$out/"
echo "stage-lib.sh: $kept jar(s) in $out/lib, $skipped left to the platform" >&2
