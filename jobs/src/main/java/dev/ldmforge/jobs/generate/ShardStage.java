package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.output.ShardPlan;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/** The {@code webdataset} generation stage shared by the batch and the streaming job: one {@link ShardTask} per shard. */
public final class ShardStage {
    private ShardStage() {
    }

    /**
     * {@link StagedOutput} rows of the shards of {@code dir} that hold an unrecorded image. Lazy: write it once.
     *
     * @param marked        images from {@link ImagePlan#markRecorded}
     * @param gallerySample images whose rows keep their bytes (for thumbnails)
     */
    public static Dataset<Row> generate(SparkSession spark, Dataset<Row> marked, JobOptions options,
                                        LongAccumulator done, Set<String> gallerySample, String dir, PrintStream out) {
        Dataset<Row> planned = ShardPlan.planned(marked, options.outputs().samplesPerShard())
                .persist(StorageLevel.MEMORY_AND_DISK());
        List<Integer> shards = planned.select(ShardPlan.SHARD).distinct().orderBy(ShardPlan.SHARD).collectAsList()
                .stream().map(r -> r.getInt(0)).toList();
        out.printf("%d WebDataset shards to write under %s/ (%d samples per shard)%n", shards.size(), dir,
                options.outputs().samplesPerShard());
        // Back to a DataFrame (same partitions) so that the task's rows carry their schema.
        return spark.createDataFrame(ShardPlan.oneShardPerPartition(planned, shards), planned.schema())
                .mapPartitions(new ShardTask(options, done, gallerySample, dir), Encoders.row(StagedOutput.SCHEMA));
    }
}
