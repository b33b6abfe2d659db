package dev.ldmforge.jobs.stream;

import dev.ldmforge.jobs.generate.ImagePlan;
import dev.ldmforge.jobs.generate.JobOptions;
import dev.ldmforge.jobs.generate.OutputLayout;
import dev.ldmforge.jobs.generate.ShardStage;
import dev.ldmforge.jobs.generate.StagedOutput;
import dev.ldmforge.jobs.output.HfImage;
import dev.ldmforge.jobs.output.OutputFormat;
import dev.ldmforge.jobs.output.ShardKeys;
import dev.ldmforge.jobs.output.ShardParquet;
import dev.ldmforge.jobs.input.PromptDatasets;
import dev.ldmforge.schemas.DeadLetter;
import dev.ldmforge.schemas.ErrorCode;
import dev.ldmforge.schemas.ImageStatus;
import dev.ldmforge.schemas.SparkRows;
import dev.ldmforge.schemas.SparkSchemas;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;

/**
 * One micro-batch ({@code foreachBatch}), idempotent per batch id so that Spark's replay of an uncommitted batch
 * after a crash changes nothing: images are keyed by request id and index and written conditionally (a replay finds
 * them and does not regenerate them); metadata and dead letters go to {@code metadata/query_id=Q/batch_id=N/} and
 * {@code dead-letter/query_id=Q/batch_id=N/}, overwritten as a whole by a replay; Kafka records go out in one
 * transaction per batch that a replay skips once committed ({@link ResultPublisher}). A request id already recorded
 * in metadata by an earlier batch (or query) is not generated again: it becomes a DUPLICATE_REQUEST dead letter.
 */
final class MicroBatch implements VoidFunction2<Dataset<Row>, Long> {
    /** Set by Spark on the query thread: the query's id, stable across restarts from the same checkpoint. */
    private static final String QUERY_ID = "sql.streaming.queryId";
    static final String QUERY_COLUMN = "query_id";
    static final String BATCH_COLUMN = "batch_id";

    private final SparkSession spark;
    private final JobOptions job;
    private final StreamOptions options;
    private final OutputLayout layout;
    private final GracefulStop stop;
    private final PrintStream out;
    private ResultPublisher publisher;
    private boolean faultInjected;

    MicroBatch(SparkSession spark, JobOptions job, StreamOptions options, GracefulStop stop, PrintStream out) {
        this.spark = spark;
        this.job = job;
        this.options = options;
        this.layout = OutputLayout.of(job.output());
        this.stop = stop;
        this.out = out;
    }

    @Override
    public void call(Dataset<Row> messages, Long batchId) throws Exception {
        stop.run(() -> process(messages, batchId));
    }

    private void process(Dataset<Row> kafka, long batchId) {
        long start = System.nanoTime();
        String queryId = spark.sparkContext().getLocalProperty(QUERY_ID);
        if (options.publishes() && publisher == null) {
            publisher = ResultPublisher.open(options, queryId);
        }
        if (publisher != null && publisher.committed(batchId)) {
            // Published before a crash that came ahead of Spark's checkpoint commit: files and events are complete.
            out.printf("stream: batch %d already committed to Kafka before a restart: skipped%n", batchId);
            return;
        }
        String partition = QUERY_COLUMN + "=" + queryId + "/" + BATCH_COLUMN + "=" + batchId;
        Instant at = Instant.now();
        spark.sparkContext().setJobDescription("ldmforge stream: batch " + batchId);

        Dataset<Row> messages = kafka.select(ParseMessages.INPUT[0], ParseMessages.INPUT[1],
                        ParseMessages.INPUT[2], ParseMessages.INPUT[3])
                .mapPartitions(new ParseMessages(options.format(), options.maxMessageBytes(),
                        options.maxPromptChars(), job.defaults(), job.unknownFields()),
                        Encoders.row(ParseMessages.SCHEMA))
                .persist(StorageLevel.MEMORY_AND_DISK());
        long read = messages.count();

        // Within the batch the first message of a request id (by partition and offset) wins.
        Dataset<Row> ranked = messages.filter(col(PromptDatasets.REQUEST).isNotNull())
                .withColumn("_rank", row_number().over(Window.partitionBy(col(PromptDatasets.REQUEST_ID))
                        .orderBy(col(ParseMessages.PARTITION), col(ParseMessages.OFFSET))));
        Dataset<Row> unique = ranked.filter(col("_rank").equalTo(1)).drop("_rank")
                .withColumn(PromptDatasets.SOURCE_FILE, lit(null).cast("string"))
                .withColumn(PromptDatasets.SOURCE_ROW, lit(null).cast("long"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> repeated = ranked.filter(col("_rank").gt(1)).drop("_rank");
        Dataset<Row> pending = ImagePlan.pending(ImagePlan.images(unique), recordedImages(queryId, batchId));
        Dataset<Row> alreadyDone = unique.join(pending.select(col(PromptDatasets.REQUEST_ID).as("_pending_id")),
                col(PromptDatasets.REQUEST_ID).equalTo(col("_pending_id")), "left_anti");

        String staging = layout.hadoop(OutputLayout.STAGING + "/stream/" + partition);
        LongAccumulator done = spark.sparkContext().longAccumulator("images");
        OutputFormat format = job.outputs().outputFormat();
        String shardDir = ShardKeys.SHARDS + "/" + partition;
        Dataset<Row> stage = format == OutputFormat.WEBDATASET
                // a batch's own shards: a replay of the batch finds them and regenerates nothing
                ? ShardStage.generate(spark, pending.withColumn(ImagePlan.RECORDED, lit(false)), job, done, Set.of(),
                        shardDir, out)
                : ImagePlan.generate(ImagePlan.planned(pending, options.partitions()), job, done);
        stage.write().mode(SaveMode.Overwrite).parquet(staging);
        Dataset<Row> staged = spark.read().schema(StagedOutput.SCHEMA).parquet(staging)
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> stagedImages = staged.filter(col("kind").equalTo(StagedOutput.IMAGE));
        Dataset<Row> images = stagedImages.select("image.*");
        (format == OutputFormat.PARQUET ? HfImage.withImageColumn(stagedImages) : images).write()
                .mode(SaveMode.Overwrite).option(HfImage.ROW_GROUP_ROWS_OPTION, HfImage.ROW_GROUP_ROWS)
                .parquet(layout.hadoop(OutputLayout.METADATA + "/" + partition));
        if (format == OutputFormat.WEBDATASET) {
            ShardParquet.write(spark, layout, images, shardDir);
        }

        Dataset<Row> deadLetters = deadLetters(messages.filter(col(PromptDatasets.REQUEST).isNull()), at)
                .union(deadLetters(withCode(repeated, "appears again in the same micro-batch"), at))
                .union(deadLetters(withCode(alreadyDone, "was already generated from an earlier message"), at))
                .union(deadLetters(generationFailures(staged, unique), at))
                .persist(StorageLevel.MEMORY_AND_DISK());
        deadLetters.coalesce(1).write().mode(SaveMode.Overwrite)
                .parquet(layout.hadoop(OutputLayout.DEAD_LETTER + "/" + partition));
        injectFault("files", batchId);

        List<Row> events = images.select("request_id", "image_index", "image_uri", "sha256", "status")
                .collectAsList();
        List<Row> dead = deadLetters.select("request_id", "error_code", "error_message", "original_bytes",
                "topic", "partition", "offset").collectAsList();
        if (publisher != null) {
            publisher.publish(batchId, events, dead);
        }
        injectFault("events", batchId);

        long generated = events.stream().filter(r -> ImageStatus.GENERATED.name().equals(r.getString(4))).count();
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf("stream: batch %d: %d messages, %d images (%d generated, %d existing), %d dead letters in "
                        + "%.1f s, %.2f images/s%n", batchId, read, events.size(), generated, events.size() - generated,
                dead.size(), seconds, generated / seconds);
        staged.unpersist();
        deadLetters.unpersist();
        unique.unpersist();
        messages.unpersist();
        deleteQuietly(staging);
    }

    /** (request_id, image_index) of every image in metadata except this batch's own (a replay overwrites it). */
    private Dataset<Row> recordedImages(String queryId, long batchId) {
        String metadata = layout.hadoop(OutputLayout.METADATA);
        if (!exists(metadata)) {
            return spark.createDataFrame(List.of(), new StructType()
                    .add(ImagePlan.DONE_ID, "string").add(ImagePlan.DONE_INDEX, "int"));
        }
        // The schema is given: a partition whose first write crashed has no files to infer one from.
        return spark.read().schema(SparkSchemas.GENERATED_IMAGE.add(QUERY_COLUMN, "string")
                        .add(BATCH_COLUMN, "long")).option("basePath", metadata).parquet(metadata)
                .filter(not(col(QUERY_COLUMN).equalTo(queryId).and(col(BATCH_COLUMN).equalTo(batchId))))
                .select(col("request_id").as(ImagePlan.DONE_ID), col("image_index").as(ImagePlan.DONE_INDEX))
                .distinct();
    }

    /** Messages of accepted requests as rejected with DUPLICATE_REQUEST. */
    private static Dataset<Row> withCode(Dataset<Row> requests, String why) {
        return requests.withColumn(PromptDatasets.ERROR_CODE, lit(ErrorCode.DUPLICATE_REQUEST.name()))
                .withColumn(PromptDatasets.ERROR_MESSAGE, concat(
                        lit("request_id: "), col(PromptDatasets.REQUEST_ID), lit(" " + why)));
    }

    /** The generation stage's dead letters with their messages' source position and bytes. */
    private static Dataset<Row> generationFailures(Dataset<Row> staged, Dataset<Row> unique) {
        Dataset<Row> failed = staged.filter(col("kind").equalTo(StagedOutput.DEAD))
                .select(col("dead_letter.request_id").as("_failed_id"),
                        col("dead_letter.error_code").as(PromptDatasets.ERROR_CODE),
                        col("dead_letter.error_message").as(PromptDatasets.ERROR_MESSAGE));
        return unique.drop(PromptDatasets.ERROR_CODE, PromptDatasets.ERROR_MESSAGE)
                .join(failed, col(PromptDatasets.REQUEST_ID).equalTo(col("_failed_id")));
    }

    /** {@link ParseMessages#SCHEMA}-like rows with a code and message as {@link SparkSchemas#DEAD_LETTER} rows. */
    private static Dataset<Row> deadLetters(Dataset<Row> rejected, Instant at) {
        Column[] columns = {col(PromptDatasets.REQUEST_ID), col(PromptDatasets.ERROR_CODE),
            col(PromptDatasets.ERROR_MESSAGE), col(PromptDatasets.ORIGINAL), col(ParseMessages.VALUE),
            col(ParseMessages.TOPIC), col(ParseMessages.PARTITION), col(ParseMessages.OFFSET)};
        return rejected.select(columns).map((MapFunction<Row, Row>) r -> SparkRows.toRow(new DeadLetter(
                        r.getString(0), ErrorCode.valueOf(r.getString(1)), r.getString(2), r.getString(3),
                        (byte[]) r.get(4), null, null, r.getString(5), r.getInt(6), r.getLong(7), at)),
                Encoders.row(SparkSchemas.DEAD_LETTER));
    }

    private void injectFault(String phase, long batchId) {
        if (phase.equals(options.failAfter()) && !faultInjected) {
            faultInjected = true;
            throw new IllegalStateException("injected fault: batch " + batchId + " fails after its " + phase);
        }
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
            Path p = new Path(hadoopPath);
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            fs.delete(p, true);
        } catch (IOException e) {
            out.println("stream: could not delete " + hadoopPath + ": " + e.getMessage());
        }
    }

    /** Closes the Kafka producer, if one was opened. */
    void close() {
        if (publisher != null) {
            publisher.close();
        }
    }
}
