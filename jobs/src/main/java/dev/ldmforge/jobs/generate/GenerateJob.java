package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.input.PromptDatasets;
import dev.ldmforge.jobs.output.HfImage;
import dev.ldmforge.jobs.output.OutputFormat;
import dev.ldmforge.jobs.output.ShardParquet;
import dev.ldmforge.jobs.output.ShardKeys;
import dev.ldmforge.jobs.report.Gallery;
import dev.ldmforge.jobs.report.JobSummary;
import dev.ldmforge.jobs.report.Thumbnails;
import dev.ldmforge.jobs.storage.ObjectStore;
import dev.ldmforge.jobs.storage.ObjectStores;
import dev.ldmforge.schemas.DeadLetter;
import dev.ldmforge.schemas.ErrorCode;
import dev.ldmforge.schemas.GeneratedImage;
import dev.ldmforge.schemas.ImageStatus;
import dev.ldmforge.schemas.SparkRows;
import dev.ldmforge.schemas.SparkSchemas;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * The batch job: prompts in, images + metadata + dead letters + summary + gallery out. Every input record ends as
 * images or as a dead letter; images are keyed by request id and index and written conditionally, so reruns skip
 * what exists and retries never duplicate; metadata and dead letters go through Spark's output commit protocol.
 */
public final class GenerateJob {
    private static final Logger LOG = LoggerFactory.getLogger(GenerateJob.class);

    private final SparkSession spark;
    private final JobOptions options;
    private final int partitions;
    private final PrintStream out;

    public GenerateJob(SparkSession spark, JobOptions options, int partitions, PrintStream out) {
        this.spark = spark;
        this.options = options;
        this.partitions = partitions;
        this.out = out;
    }

    public JobSummary run(List<String> command, Map<String, Object> config) {
        Instant started = Instant.now();
        OutputLayout layout = OutputLayout.of(options.output());
        LOG.info("generate: model {} on {} ({}), batch size {}, {} partitions, prompts {}, output {}",
                options.model(), options.device(), options.dtype(), options.batchSize(), partitions,
                options.prompts(), layout.root());
        try (ObjectStore store = ObjectStores.open(layout.root(), options.s3())) {
            checkWritable(store, layout);

            describe("read and validate prompts");
            Dataset<Row> validated = PromptDatasets.validate(
                    PromptDatasets.read(spark, OutputLayout.hadoopInput(options.prompts())),
                    options.defaults(), options.unknownFields()).persist(StorageLevel.MEMORY_AND_DISK());
            // Each figure pair comes from one aggregation: every Spark action is a fixed cost of the job.
            Row readValid = validated.agg(count(lit(1)), count(col(PromptDatasets.REQUEST))).first();
            long read = readValid.getLong(0);
            long valid = readValid.getLong(1);
            Dataset<Row> accepted = PromptDatasets.accepted(validated);

            // The first occurrence of a request id wins; later ones are dead letters, never silently merged.
            Dataset<Row> ranked = accepted.withColumn("_rank", row_number().over(
                    Window.partitionBy(col(PromptDatasets.REQUEST_ID)).orderBy(col(PromptDatasets.SOURCE_FILE),
                            col(PromptDatasets.SOURCE_ROW))));
            Dataset<Row> unique = ranked.filter(col("_rank").equalTo(1)).drop("_rank")
                    .persist(StorageLevel.MEMORY_AND_DISK());
            Dataset<Row> duplicates = ranked.filter(col("_rank").gt(1)).drop("_rank");

            describe("plan: skip images already in metadata");
            Dataset<Row> marked = ImagePlan.markRecorded(ImagePlan.images(unique), existingImageKeys(layout))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            Row imageCounts = marked.agg(count(lit(1)), count(when(not(col(ImagePlan.RECORDED)), lit(1))),
                    count(when(col(ImagePlan.IMAGE_INDEX).equalTo(0), lit(1)))).first();
            long totalImages = imageCounts.getLong(0);
            long pendingImages = imageCounts.getLong(1);
            long requests = imageCounts.getLong(2);

            Set<String> gallerySample = gallerySample(marked);
            LongAccumulator done = spark.sparkContext().longAccumulator("images");
            describe("plan the generation stage");
            Dataset<Row> stage = generationStage(marked, done, gallerySample);
            describe("generate " + pendingImages + " images with " + options.model());
            String staging = layout.hadoop(OutputLayout.STAGING + "/" + UUID.randomUUID());
            out.printf("generate: %d prompts read, %d valid, %d images to generate (%d already present)%n", read,
                    valid, pendingImages, totalImages - pendingImages);
            try (Progress ignored = new Progress(done, pendingImages, out, Duration.ofSeconds(5))) {
                stage.write().mode(SaveMode.ErrorIfExists).parquet(staging);
            }
            Dataset<Row> staged = spark.read().schema(StagedOutput.SCHEMA).parquet(staging)
                    .persist(StorageLevel.MEMORY_AND_DISK());

            describe("commit metadata and dead letters");
            Dataset<Row> stagedImages = staged.filter(col("kind").equalTo(StagedOutput.IMAGE));
            if (format() == OutputFormat.PARQUET) {
                HfImage.withImageColumn(stagedImages).write().mode(SaveMode.Append)
                        .option(HfImage.ROW_GROUP_ROWS_OPTION, HfImage.ROW_GROUP_ROWS)
                        .parquet(layout.hadoop(OutputLayout.METADATA));
            } else {
                stagedImages.select("image.*").write().mode(SaveMode.Append)
                        .parquet(layout.hadoop(OutputLayout.METADATA));
            }
            if (format() == OutputFormat.WEBDATASET) {
                ShardParquet.writeTouched(spark, layout, stagedImages.select("image.image_uri"), ShardKeys.SHARDS);
            }
            Dataset<Row> generationDead = staged.filter(col("kind").equalTo(StagedOutput.DEAD))
                    .select("dead_letter.*");
            Dataset<Row> deadLetters = PromptDatasets.deadLetters(validated, started)
                    .union(duplicateDeadLetters(duplicates, started))
                    .union(generationDead).persist(StorageLevel.MEMORY_AND_DISK());
            newDeadLetters(deadLetters, layout).coalesce(1).write().mode(SaveMode.Append)
                    .parquet(layout.hadoop(OutputLayout.DEAD_LETTER));

            Row stagedCounts = staged.agg(count(when(col("kind").equalTo(StagedOutput.IMAGE), lit(1))),
                    count(when(col("image.status").equalTo(ImageStatus.GENERATED.name()), lit(1))),
                    count(when(col("kind").equalTo(StagedOutput.DEAD), lit(1))),
                    // requests may name their own model: the summary's hash is the job's model's
                    max(when(col("image.model_id").equalTo(options.recordedModelId()), col("image.model_hash"))))
                    .first();
            long generated = stagedCounts.getLong(1);
            long existingInStore = stagedCounts.getLong(0) - generated;
            long generatedRequests = requests;
            long expectedImages = totalImages;
            if (stagedCounts.getLong(2) > 0) { // requests whose generation failed are not expected to have images
                Dataset<Row> failedIds = generationDead.select(col("request_id").as("_failed_id")).distinct();
                Dataset<Row> good = unique.join(failedIds, unique.col(PromptDatasets.REQUEST_ID).equalTo(
                        col("_failed_id")), "left_anti");
                Row goodTotals = good.agg(count(lit(1)), sum(col("request.num_images_per_prompt"))).first();
                generatedRequests = goodTotals.getLong(0);
                expectedImages = goodTotals.isNullAt(1) ? 0 : goodTotals.getLong(1);
            }
            String modelHash = stagedCounts.isNullAt(3) ? recordedModelHash(layout) : stagedCounts.getString(3);
            Map<String, Long> byCode = new LinkedHashMap<>();
            for (Row r : deadLetters.groupBy("error_code").count().collectAsList()) {
                byCode.put(r.getString(0), r.getLong(1));
            }
            long deadLettered = byCode.values().stream().mapToLong(Long::longValue).sum();

            JobSummary summary = new JobSummary(read, valid, generated, generatedRequests,
                    totalImages - pendingImages + existingInStore, deadLettered, expectedImages, options.model(),
                    modelHash, options.modelRevision(), options.device(), options.dtype(), options.batchSize(), partitions,
                    spark.sparkContext().applicationId(), started, Instant.now(), command, config, byCode);
            store.put(OutputLayout.SUMMARY, summary.toJson().getBytes(StandardCharsets.UTF_8), "application/json");
            store.put(OutputLayout.GALLERY, gallery(summary, layout, store, gallerySample, staged)
                            .getBytes(StandardCharsets.UTF_8),
                    Gallery.CONTENT_TYPE);
            staged.unpersist();
            deleteQuietly(layout.hadoop(OutputLayout.STAGING));
            validated.unpersist();
            unique.unpersist();
            marked.unpersist();
            deadLetters.unpersist();
            return summary;
        }
    }

    private OutputFormat format() {
        return options.outputs().outputFormat();
    }

    /**
     * The generation stage over the images not yet recorded: {@link ImageTask} over requests dealt round-robin
     * (files, parquet), or one {@link ShardTask} per WebDataset shard that holds any of them.
     */
    private Dataset<Row> generationStage(Dataset<Row> marked, LongAccumulator done, Set<String> gallerySample) {
        if (format() != OutputFormat.WEBDATASET) {
            return ImagePlan.generate(ImagePlan.planned(ImagePlan.unrecorded(marked), partitions), options, done);
        }
        return ShardStage.generate(spark, marked, options, done, gallerySample, ShardKeys.SHARDS, out);
    }

    private void describe(String what) {
        spark.sparkContext().setJobDescription("ldmforge generate: " + what);
    }

    /** Fails the job up front, with one clear message, when the output cannot be written. */
    private static void checkWritable(ObjectStore store, OutputLayout layout) {
        try {
            store.put(OutputLayout.STAGING + "/.write-check", new byte[0], "text/plain");
        } catch (RuntimeException e) {
            throw new IllegalStateException("output " + layout.root() + " is not writable: " + e.getMessage(), e);
        }
    }

    /** (request_id, image_index) of every image earlier runs recorded. */
    private Dataset<Row> existingImageKeys(OutputLayout layout) {
        if (!exists(layout.hadoop(OutputLayout.METADATA))) {
            return spark.createDataFrame(List.of(), new org.apache.spark.sql.types.StructType()
                    .add(ImagePlan.DONE_ID, "string").add(ImagePlan.DONE_INDEX, "int"));
        }
        return spark.read().schema(SparkSchemas.GENERATED_IMAGE).parquet(layout.hadoop(OutputLayout.METADATA))
                .select(col("request_id").as(ImagePlan.DONE_ID), col("image_index").as(ImagePlan.DONE_INDEX)).distinct();
    }

    /** Dead letters not already recorded by an earlier run of the same dataset (same source, code and id). */
    private Dataset<Row> newDeadLetters(Dataset<Row> deadLetters, OutputLayout layout) {
        if (!exists(layout.hadoop(OutputLayout.DEAD_LETTER))) {
            return deadLetters;
        }
        Dataset<Row> old = spark.read().schema(SparkSchemas.DEAD_LETTER).parquet(layout.hadoop(OutputLayout.DEAD_LETTER))
                .select(deadLetterKey().as("_old_key")).distinct();
        return deadLetters.join(old, deadLetterKey().eqNullSafe(col("_old_key")), "left_anti");
    }

    private static Column deadLetterKey() {
        return struct(col("source_file"), col("source_row"), col("topic"), col("partition"), col("offset"),
                col("request_id"), col("error_code"));
    }

    private static Dataset<Row> duplicateDeadLetters(Dataset<Row> duplicates, Instant failedAt) {
        return duplicates.map((MapFunction<Row, Row>) row -> SparkRows.toRow(new DeadLetter(
                        row.getAs(PromptDatasets.REQUEST_ID), ErrorCode.DUPLICATE_REQUEST,
                        "request_id: " + row.getAs(PromptDatasets.REQUEST_ID) + " appears more than once in the "
                                + "dataset; the first occurrence (by file and row) is generated",
                        row.getAs(PromptDatasets.ORIGINAL), null, row.getAs(PromptDatasets.SOURCE_FILE),
                        row.getAs(PromptDatasets.SOURCE_ROW), null, null, null, failedAt)),
                Encoders.row(SparkSchemas.DEAD_LETTER));
    }

    /** The model hash an earlier run recorded for this model (a rerun that generated nothing). */
    private String recordedModelHash(OutputLayout layout) {
        if (!exists(layout.hadoop(OutputLayout.METADATA))) {
            return null;
        }
        List<Row> rows = spark.read().schema(SparkSchemas.GENERATED_IMAGE).parquet(layout.hadoop(OutputLayout.METADATA))
                .filter(col("model_id").equalTo(options.recordedModelId())).select("model_hash").limit(1).collectAsList();
        return rows.isEmpty() ? null : rows.get(0).getString(0);
    }

    /**
     * The gallery's images ({@code request_id/image_index}): at most {@code --gallery-max-images} of all the plan's
     * images, those with the smallest sha256 of {@code request_id/image_index} ({@link Gallery#sampleKey}), so the
     * sample is the same whatever ran before and spreads over the whole dataset.
     */
    private Set<String> gallerySample(Dataset<Row> marked) {
        Set<String> sample = new HashSet<>();
        marked.select(col(PromptDatasets.REQUEST_ID), col(ImagePlan.IMAGE_INDEX))
                .orderBy(sha2(concat(col(PromptDatasets.REQUEST_ID), lit("/"), col(ImagePlan.IMAGE_INDEX)), 256))
                .limit(options.outputs().galleryMaxImages()).collectAsList()
                .forEach(r -> sample.add(Gallery.imageId(r.getString(0), r.getInt(1))));
        return sample;
    }

    private String gallery(JobSummary summary, OutputLayout layout, ObjectStore store, Set<String> sampleIds,
                           Dataset<Row> staged) {
        Dataset<Row> metadata = spark.read().parquet(layout.hadoop(OutputLayout.METADATA));
        long total = metadata.count();
        Dataset<Row> keys = spark.createDataFrame(sampleIds.stream().map(id -> {
            int slash = id.lastIndexOf('/');
            return org.apache.spark.sql.RowFactory.create(id.substring(0, slash),
                    Integer.parseInt(id.substring(slash + 1)));
        }).toList(), new org.apache.spark.sql.types.StructType().add("_id", "string").add("_index", "int"));
        Dataset<Row> sampleRows = metadata.join(keys, col("request_id").equalTo(col("_id"))
                .and(col("image_index").equalTo(col("_index"))), "left_semi");
        List<GeneratedImage> images = sampleRows.select(SparkSchemas.GENERATED_IMAGE.fieldNames()[0],
                        java.util.Arrays.copyOfRange(SparkSchemas.GENERATED_IMAGE.fieldNames(), 1,
                                SparkSchemas.GENERATED_IMAGE.fieldNames().length)).collectAsList()
                .stream().map(r -> SparkRows.fromRow(r, GeneratedImage.class)).toList();
        Map<String, String> thumbnails = new HashMap<>();
        // This run's images with bytes in the rows (parquet: all; webdataset: the sample's) that are in the sample.
        List<Row> bytes = staged.filter(col(StagedOutput.BYTES).isNotNull())
                .select(col("image.request_id").as("request_id"), col("image.image_index").as("image_index"),
                        col(StagedOutput.BYTES))
                .join(keys, col("request_id").equalTo(col("_id")).and(col("image_index").equalTo(col("_index"))),
                        "left_semi").collectAsList();
        for (Row r : bytes) {
            String key = Thumbnails.key(r.getString(0), r.getInt(1));
            byte[] jpeg = store.exists(key) ? null : Thumbnails.jpeg((byte[]) r.get(2));
            if (jpeg != null) {
                store.putIfAbsent(key, jpeg, "image/jpeg");
            }
        }
        if (format() != OutputFormat.FILES) {
            for (GeneratedImage g : images) {
                String key = Thumbnails.key(g.requestId(), g.imageIndex());
                if (store.exists(key)) {
                    thumbnails.put(Gallery.imageId(g.requestId(), g.imageIndex()), key);
                }
            }
        }
        Map<String, Long> deadCounts = new LinkedHashMap<>();
        List<DeadLetter> dead = List.of();
        if (exists(layout.hadoop(OutputLayout.DEAD_LETTER))) {
            Dataset<Row> all = spark.read().schema(SparkSchemas.DEAD_LETTER)
                    .parquet(layout.hadoop(OutputLayout.DEAD_LETTER));
            all.groupBy("error_code").count().collectAsList().forEach(r -> deadCounts.put(r.getString(0), r.getLong(1)));
            dead = all.withColumn("_n", row_number().over(Window.partitionBy(col("error_code")).orderBy(
                            col("source_file").asc_nulls_last(), col("source_row").asc_nulls_last(),
                            col("topic").asc_nulls_last(), col("partition").asc_nulls_last(),
                            col("offset").asc_nulls_last(), col("request_id").asc_nulls_last())))
                    .filter(col("_n").leq(Gallery.DEAD_LETTER_EXAMPLES)).drop("_n").collectAsList().stream()
                    .map(r -> SparkRows.fromRow(r, DeadLetter.class)).toList();
        }
        return Gallery.render(summary, images, total, thumbnails, dead, deadCounts, layout.root());
    }

    private boolean exists(String hadoopPath) {
        try {
            Path p = new Path(hadoopPath);
            return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + hadoopPath + ": " + e.getMessage(), e);
        }
    }

    private void deleteQuietly(String hadoopPath) {
        try {
            FileSystem fs = FileSystem.get(URI.create(hadoopPath), spark.sparkContext().hadoopConfiguration());
            fs.delete(new Path(hadoopPath), true);
        } catch (IOException e) {
            LOG.warn("could not delete staging folder {}: {}", hadoopPath, e.getMessage());
        }
    }
}
