package dev.ldmforge.jobs.output;

import dev.ldmforge.jobs.generate.OutputLayout;
import dev.ldmforge.schemas.SparkSchemas;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.regexp_extract;

/**
 * {@code shards/{shard:05d}.parquet}: each WebDataset shard's metadata rows (the {@code GeneratedImage} columns) in
 * one Parquet file beside its tar, as img2dataset writes them. Derived from the committed {@code metadata/} table
 * after each run for the shards the run touched, written by Spark into a staging folder and moved into place, so
 * a rerun rewrites the same content.
 */
public final class ShardParquet {
    private static final String SHARD = "_shard";

    private ShardParquet() {
    }

    /**
     * Rewrites the Parquet file of every shard of {@code dir} that {@code imageUris} touch, from the committed
     * {@code metadata/} table ({@code generate}).
     *
     * @param imageUris the {@code image_uri} of the images this run recorded
     */
    public static void writeTouched(SparkSession spark, OutputLayout layout, Dataset<Row> imageUris, String dir) {
        Dataset<Row> touched = imageUris.select(shardOf().as(SHARD)).distinct();
        if (touched.isEmpty()) {
            return;
        }
        write(spark, layout, spark.read().schema(SparkSchemas.GENERATED_IMAGE)
                .parquet(layout.hadoop(OutputLayout.METADATA)).withColumn(SHARD, shardOf())
                .join(touched, SHARD).drop(SHARD), dir);
    }

    /** Writes each shard's rows of {@code rows} (GeneratedImage columns, all in shards of {@code dir}). */
    public static void write(SparkSession spark, OutputLayout layout, Dataset<Row> rows, String dir) {
        rows = rows.filter(col("image_uri").contains("/" + dir + "/")).withColumn(SHARD, shardOf());
        String tmp = layout.hadoop(OutputLayout.STAGING + "/shard-parquet-" + UUID.randomUUID());
        rows.repartition(col(SHARD)).sortWithinPartitions("image_uri").write().partitionBy(SHARD).parquet(tmp);
        try {
            Path staging = new Path(tmp);
            FileSystem fs = staging.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs instanceof ChecksumFileSystem local) {
                fs = local.getRawFileSystem(); // no .crc files beside the shards
            }
            for (FileStatus folder : fs.listStatus(staging)) {
                if (!folder.isDirectory() || !folder.getPath().getName().startsWith(SHARD + "=")) {
                    continue;
                }
                int shard = Integer.parseInt(folder.getPath().getName().substring(SHARD.length() + 1));
                Path target = new Path(layout.hadoop(ShardKeys.parquet(dir, shard)));
                for (FileStatus part : fs.listStatus(folder.getPath())) {
                    if (part.getPath().getName().endsWith(".parquet")) {
                        fs.delete(target, false);
                        if (!fs.rename(part.getPath(), target)) {
                            throw new IOException("rename to " + target + " failed");
                        }
                    }
                }
            }
            fs.delete(staging, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the shards' Parquet files: " + e.getMessage(), e);
        }
    }

    private static Column shardOf() {
        return regexp_extract(col("image_uri"), "/(\\d+)\\.tar#", 1).cast("int");
    }
}
