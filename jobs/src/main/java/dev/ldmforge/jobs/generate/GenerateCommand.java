package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.report.JobSummary;
import dev.ldmforge.jobs.report.RequestDefaults;
import dev.ldmforge.jobs.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ldmforge generate}: the batch job, also run by spark-submit through {@link GenerateMain}. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate images for every prompt of a dataset with Spark: images, metadata, dead letters, "
                + "a summary and a gallery land in the output. Reruns skip what exists.",
        footer = {"", "Examples:",
            "  ./ldmforge generate --prompts schemas/examples/prompts.jsonl --output out/",
            "  ./ldmforge generate --prompts s3://bucket/prompts/ --output s3://bucket/run1 --model /models/sd-v1-5 \\",
            "      --batch-size 4 --partitions 8 --steps 30 --conf spark.hadoop.fs.s3a.path.style.access=true",
            "  ./ldmforge generate --master spark://127.0.0.1:7077 --prompts prompts.parquet --output /shared/out",
            "  ./ldmforge generate --prompts prompts.parquet --output out/ --model stabilityai/stable-diffusion-2-1-base \\",
            "      --conf ldmforge.hub.mirror=s3://bucket/hf-hub   # pinned to one commit; offline nodes read the mirror",
            "",
            "Writes <output>/images/<shard>/<request_id>_<index>.png, metadata/ and dead-letter/ (Parquet),",
            "_SUMMARY.json and index.html. S3 settings: --conf ldmforge.s3.endpoint=... (see README).",
            "--output-format webdataset writes tar shards shards/{shard:05d}.tar (+ .parquet, _stats.json);",
            "--output-format parquet keeps the images in the metadata/ rows (Hugging Face Image feature)."})
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--prompts", required = true, paramLabel = "LOCATION",
            description = "Parquet, JSON Lines or CSV file or folder: a path, file://, s3:// or s3a://")
    String prompts;

    @Option(names = "--output", defaultValue = "ldmforge-output", paramLabel = "LOCATION",
            description = "local folder or s3://bucket/prefix (default: ${DEFAULT-VALUE})")
    String output;

    @Mixin
    JobSettings job;

    @Option(names = "--partitions", paramLabel = "N",
            description = "generation tasks (default: Spark's default parallelism)")
    Integer partitions;

    @Option(names = "--fail-first-attempt", hidden = true,
            description = "fault injection for tests: each task's first attempt fails after one image")
    boolean failFirstAttempt;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, String> confs = job.confs();
        JobOptions options = job.jobOptions(prompts, output, confs, failFirstAttempt);
        options.s3().sparkHadoopConf().forEach(confs::putIfAbsent);
        // Inside an application that already has a session (tests, notebooks) use it and leave it running.
        boolean reuse = SparkSession.getActiveSession().isDefined();
        SparkSession spark = reuse ? SparkSessions.reuse(confs) : SparkSessions.create("ldmforge generate", job.master(), confs);
        try {
            int parts = partitions != null ? partitions : spark.sparkContext().defaultParallelism();
            SparkSessions.sizePlanningShuffles(spark, confs);
            List<String> argv = new ArrayList<>(List.of("ldmforge"));
            argv.addAll(spec.commandLine().getParseResult().originalArgs());
            JobSummary summary = new GenerateJob(spark, options, parts, System.out).run(argv,
                    effectiveConfig(options, parts, spark));
            System.out.printf("generate: done in %.1f s: %d read, %d valid, %d images generated, %d skipped "
                            + "(existing), %d dead letters%s%n", summary.wallTimeSeconds(), summary.read(),
                    summary.valid(), summary.generated(), summary.skippedExisting(), summary.deadLettered(),
                    summary.reconciled() ? "" : " — COUNTS DO NOT RECONCILE");
            System.out.println("generate: results in " + OutputLayout.of(output).root() + " (open index.html; "
                    + "metadata/ and dead-letter/ are Parquet)");
            return summary.reconciled() ? 0 : 1;
        } finally {
            if (!reuse) {
                spark.stop();
            }
        }
    }

    private static Map<String, Object> effectiveConfig(JobOptions o, int partitions, SparkSession spark) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("prompts", o.prompts());
        c.put("output", o.output());
        c.put("model", o.model());
        c.put("device", o.device());
        c.put("dtype", o.dtype());
        c.put("batch_size", Integer.toString(o.batchSize()));
        c.put("partitions", Integer.toString(partitions));
        c.put("defaults", RequestDefaults.json(o.defaults()));
        c.put("preset", o.preset());
        // the trust boundary and the output layout: what a rerun must repeat to give the same dataset
        c.put("models", o.models().locations());
        c.put("allow_init_images", o.initImages().describe());
        c.put("max_init_image_bytes", o.maxInitImageBytes());
        c.put("max_loaded_models", o.maxLoadedModels());
        c.put("output_format", o.outputs().outputFormat().name().toLowerCase(java.util.Locale.ROOT));
        c.put("image_format", o.outputs().imageFormat().name().toLowerCase(java.util.Locale.ROOT));
        c.put("image_quality", o.outputs().imageQuality());
        c.put("samples_per_shard", o.outputs().samplesPerShard());
        c.put("unknown_fields", o.unknownFields().name());
        c.put("spark.master", spark.sparkContext().master());
        for (scala.Tuple2<String, String> kv : spark.sparkContext().getConf().getAll()) {
            if (kv._1().startsWith("spark.hadoop.fs.s3a.") && kv._1().contains("key")
                    || kv._1().equals("spark.executor.extraJavaOptions") || kv._1().equals("spark.executor.id")) {
                continue; // no credentials in the output; JVM flags are the launcher's, not the job's
            }
            if (kv._1().startsWith("ldmforge.") || kv._1().startsWith("spark.executor.")
                    || kv._1().startsWith("spark.task.") || kv._1().startsWith("spark.hadoop.")) {
                c.put(kv._1(), kv._2());
            }
        }
        return c;
    }
}
