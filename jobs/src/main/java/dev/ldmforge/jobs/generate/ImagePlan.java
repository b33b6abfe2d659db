package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.input.PromptDatasets;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sort_array;

/**
 * Planning and generation shared by the batch and the streaming job. Requests are rows with the
 * {@link PromptDatasets#VALIDATED} columns {@code request_id}, {@code request}, {@code original},
 * {@code source_file} and {@code source_row}; recorded images are {@code (_done_id, _done_index)} keys.
 */
public final class ImagePlan {
    public static final String IMAGE_INDEX = "image_index";
    public static final String DONE_ID = "_done_id";
    public static final String DONE_INDEX = "_done_index";
    public static final String RECORDED = "_recorded";

    private ImagePlan() {
    }

    /** One row per image of each request: the request's columns plus {@code image_index} 0..n-1. */
    public static Dataset<Row> images(Dataset<Row> requests) {
        return requests.withColumn(IMAGE_INDEX, explode(sequence(lit(0),
                col("request.num_images_per_prompt").minus(1))));
    }

    /** The images, each with {@code _recorded}: whether {@code done} (each key at most once) holds its key. */
    public static Dataset<Row> markRecorded(Dataset<Row> images, Dataset<Row> done) {
        return images.join(done, images.col(PromptDatasets.REQUEST_ID).equalTo(col(DONE_ID))
                        .and(images.col(IMAGE_INDEX).equalTo(col(DONE_INDEX))), "left_outer")
                .withColumn(RECORDED, col(DONE_ID).isNotNull()).drop(DONE_ID, DONE_INDEX);
    }

    /** Images marked by {@link #markRecorded} that are not recorded yet. */
    public static Dataset<Row> unrecorded(Dataset<Row> marked) {
        return marked.filter(not(col(RECORDED))).drop(RECORDED);
    }

    /** The images not among {@code done} (each key at most once). */
    public static Dataset<Row> pending(Dataset<Row> images, Dataset<Row> done) {
        return unrecorded(markRecorded(images, done));
    }

    /**
     * Pending images grouped back into one {@link PlannedRequest} row per request, dealt round-robin over
     * {@code partitions} tasks: equal shares keep the task slots level to the end of the stage (hashing ids gave
     * tasks of 2 to 9 requests out of 96, and the busiest set the stage's time). Spark sorts rows before a
     * round-robin repartition, so a recomputed task gets the same requests.
     */
    public static Dataset<Row> planned(Dataset<Row> pending, int partitions) {
        return pending.groupBy(col(PromptDatasets.REQUEST_ID))
                .agg(first(col(PromptDatasets.REQUEST)).as("request"),
                        sort_array(collect_list(col(IMAGE_INDEX))).as("pending"),
                        first(col(PromptDatasets.ORIGINAL)).as("original"),
                        first(col(PromptDatasets.SOURCE_FILE)).as("source_file"),
                        first(col(PromptDatasets.SOURCE_ROW)).as("source_row"))
                .select("request", "pending", "original", "source_file", "source_row")
                .repartition(partitions);
    }

    /**
     * The generation stage over planned requests ({@link ImageTask}): one {@link StagedOutput} row per image
     * (column {@code image}, a GeneratedImage) or failed request (column {@code dead_letter}). Lazy: write it once.
     */
    public static Dataset<Row> generate(Dataset<Row> planned, JobOptions options, LongAccumulator imagesDone) {
        return planned.mapPartitions(new ImageTask(options, imagesDone), Encoders.row(StagedOutput.SCHEMA));
    }
}
