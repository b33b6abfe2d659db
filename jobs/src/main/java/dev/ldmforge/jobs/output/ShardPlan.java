package dev.ldmforge.jobs.output;

import dev.ldmforge.jobs.generate.ImagePlan;
import dev.ldmforge.jobs.input.PromptDatasets;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.when;

/**
 * WebDataset shard membership, from the plan alone: every image of the dataset (recorded or not) in
 * (request_id, image_index) order, the n-th in shard {@code n / samples_per_shard} at position
 * {@code n % samples_per_shard}. The same dataset always gives the same shards, whatever ran before; only shards
 * with an unrecorded image are run, one task per shard, with all of the shard's images (a shard is written whole).
 */
public final class ShardPlan {
    public static final String SHARD = "shard";
    public static final String FIRST_POSITION = "first_position";
    public static final String RECORDED_INDICES = "recorded_indices";

    private ShardPlan() {
    }

    /**
     * One row per (shard, request) for the shards to run: {@code request}, {@code pending} (all its image indices in
     * the shard, sorted), {@code recorded_indices} (those already in metadata), {@code first_position} (the position
     * of the first of them), {@code original}, {@code source_file}, {@code source_row}, {@code shard}.
     *
     * @param marked images from {@link ImagePlan#markRecorded}
     */
    public static Dataset<Row> planned(Dataset<Row> marked, int samplesPerShard) {
        // One global order, numbered by a distributed sort and zipWithIndex (no single-partition window): shard
        // numbers must not depend on how the input is split.
        JavaRDD<Row> numbered = marked.select(col(PromptDatasets.REQUEST_ID), col(ImagePlan.IMAGE_INDEX))
                .orderBy(col(PromptDatasets.REQUEST_ID), col(ImagePlan.IMAGE_INDEX)).javaRDD().zipWithIndex()
                .map(t -> RowFactory.create(t._1().getString(0), t._1().getInt(1), t._2()));
        Dataset<Row> ordinals = marked.sparkSession().createDataFrame(numbered, new StructType()
                .add("_n_id", DataTypes.StringType).add("_n_index", DataTypes.IntegerType)
                .add("_n", DataTypes.LongType));
        Dataset<Row> ordered = marked.join(ordinals, col(PromptDatasets.REQUEST_ID).equalTo(col("_n_id"))
                        .and(col(ImagePlan.IMAGE_INDEX).equalTo(col("_n_index"))))
                .withColumn(SHARD, col("_n").divide(samplesPerShard).cast("int"))
                .withColumn("_position", col("_n").mod(samplesPerShard).cast("int"));
        Dataset<Row> toRun = ordered.filter(not(col(ImagePlan.RECORDED))).select(col(SHARD).as("_run")).distinct();
        return ordered.join(toRun, col(SHARD).equalTo(col("_run"))).groupBy(col(SHARD), col(PromptDatasets.REQUEST_ID))
                .agg(first(col(PromptDatasets.REQUEST)).as("request"),
                        sort_array(collect_list(col(ImagePlan.IMAGE_INDEX))).as("pending"),
                        sort_array(collect_list(when(col(ImagePlan.RECORDED), col(ImagePlan.IMAGE_INDEX))))
                                .as(RECORDED_INDICES),
                        min(col("_position")).as(FIRST_POSITION),
                        first(col(PromptDatasets.ORIGINAL)).as("original"),
                        first(col(PromptDatasets.SOURCE_FILE)).as("source_file"),
                        first(col(PromptDatasets.SOURCE_ROW)).as("source_row"))
                .select(col("request"), col("pending"), col(RECORDED_INDICES), col(FIRST_POSITION), col("original"),
                        col("source_file"), col("source_row"), col(SHARD));
    }

    /** The planned rows with exactly one shard per partition (the shards in ascending order). */
    public static JavaRDD<Row> oneShardPerPartition(Dataset<Row> planned, List<Integer> shards) {
        int shardColumn = planned.schema().fieldIndex(SHARD);
        return planned.javaRDD().mapToPair(r -> new Tuple2<>(r.getInt(shardColumn), r))
                .partitionBy(new ByShard(shards)).values();
    }

    /** Shard number to partition: a dense index over the shards to run. */
    private static final class ByShard extends Partitioner {
        private final Map<Integer, Integer> index = new HashMap<>();

        ByShard(List<Integer> shards) {
            for (int i = 0; i < shards.size(); i++) {
                index.put(shards.get(i), i);
            }
        }

        @Override
        public int numPartitions() {
            return Math.max(1, index.size());
        }

        @Override
        public int getPartition(Object key) {
            return index.get((Integer) key);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByShard b && b.index.equals(index);
        }

        @Override
        public int hashCode() {
            return index.hashCode();
        }
    }
}
