package dev.ldmforge.jobs.input;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.row_number;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Numbers the records of each file 1, 2, 3... in file order. Spark reads a file's splits in partitions of increasing
 * index (splits are packed in offset order), and {@code monotonically_increasing_id} increases with the partition
 * index and along a partition, so ordering by it within a file is file order, whatever the split size.
 */
final class LineNumbers {
    private static final String ORDER = "_ldmforge_order";

    private LineNumbers() {}

    /** Adds {@code source_row} (long) to rows that have {@code source_file}, as read (before any shuffle). */
    static Dataset<Row> number(Dataset<Row> rows) {
        return rows.withColumn(ORDER, monotonically_increasing_id())
                .withColumn(PromptDatasets.SOURCE_ROW,
                        row_number().over(Window.partitionBy(PromptDatasets.SOURCE_FILE).orderBy(col(ORDER)))
                                .cast("long"))
                .drop(ORDER);
    }
}
