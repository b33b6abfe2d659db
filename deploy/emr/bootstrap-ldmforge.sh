#!/usr/bin/env bash
# EMR bootstrap action (runs on every node before YARN starts): installs LDM Forge's jars, the GPU discovery script
# and CUDA libtorch from S3 so that steps need no network at run time.
#   --bootstrap-actions Path=s3://my-bucket/ldmforge/bootstrap-ldmforge.sh,Args=[s3://my-bucket/ldmforge/0.1.0]
# The S3 folder holds lib/ (deploy/docker/build.sh --stage-only writes it), gpu-discovery-nvidia.sh and
# libtorch-2.7.1-cu128.zip (from download.pytorch.org).
set -euo pipefail
src="${1:?S3 folder with lib/, gpu-discovery-nvidia.sh and libtorch-2.7.1-cu128.zip}"
sudo mkdir -p /opt/ldmforge/lib /mnt/ldmforge && sudo chmod 1777 /mnt/ldmforge
sudo aws s3 cp --recursive --only-show-errors "$src/lib/" /opt/ldmforge/lib/
sudo aws s3 cp --only-show-errors "$src/gpu-discovery-nvidia.sh" /opt/ldmforge/
sudo chmod +x /opt/ldmforge/gpu-discovery-nvidia.sh
aws s3 cp --only-show-errors "$src/libtorch-2.7.1-cu128.zip" /tmp/libtorch.zip
sudo unzip -q /tmp/libtorch.zip -d /opt && rm /tmp/libtorch.zip
