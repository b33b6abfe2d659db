#!/usr/bin/env bash
# Builds the executor image: stages ldmforge.jar and its runtime jars into a build context, then runs docker build.
#   deploy/docker/build.sh TAG [docker build options, e.g. --build-arg SPARK_IMAGE=...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tag="${1:?usage: build.sh TAG [docker build options]}"; shift
context="$here/.context"
rm -rf "$context"
"$here/stage-lib.sh" "$context"
cp "$here/Dockerfile" "$context/"
DOCKER_BUILDKIT=1 docker build -t "$tag" "$@" "$context"
