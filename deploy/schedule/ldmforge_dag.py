"""Airflow DAGs for LDM Forge (example only; not run by the tests): the nightly batch and the stream drain.

Both call deploy/submit.sh, which runs the job on the cluster named by the `ldmforge_master` Airflow Variable
(spark://..., k8s://... or yarn). On Kubernetes the Spark Operator's ScheduledSparkApplication
(deploy/kubernetes/stream-scheduled.yaml) is the alternative that needs no Airflow.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

SUBMIT = "/opt/ldmforge/repo/deploy/submit.sh --master {{ var.value.ldmforge_master }} --gpus-per-executor 1"
MODEL = "--model s3://my-bucket/models/stable-diffusion-v1-5/ --model-cache-dir /var/cache/ldmforge/models --device gpu"
DEFAULTS = {"owner": "ldmforge", "retries": 2, "retry_delay": timedelta(minutes=10)}

with DAG(
    dag_id="ldmforge_nightly_generate",
    schedule="30 1 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULTS,
) as nightly:
    # Idempotent: a retry or a manual rerun for the same {{ ds }} skips every image already stored.
    BashOperator(
        task_id="generate",
        bash_command=f"{SUBMIT} --executor-memory 16g generate"
        " --prompts s3a://my-bucket/prompts/{{ ds }}/ --output s3://my-bucket/datasets/{{ ds }}"
        f" {MODEL} --batch-size 8",
        execution_timeout=timedelta(hours=6),
    )

with DAG(
    dag_id="ldmforge_stream_drain",
    schedule="*/15 * * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,  # one query per checkpoint at a time
    default_args=DEFAULTS,
) as drain:
    BashOperator(
        task_id="drain",
        bash_command=f"{SUBMIT} --tasks-per-gpu 2 stream"
        " --bootstrap-servers kafka.internal:9092 --topic prompts --results-topic prompt-results"
        " --dead-letter-topic prompt-dead-letters --output s3://my-bucket/stream"
        f" --checkpoint s3a://my-bucket/checkpoints/stream {MODEL} --available-now",
        execution_timeout=timedelta(minutes=14),
    )
