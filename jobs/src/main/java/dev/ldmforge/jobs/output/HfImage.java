package dev.ldmforge.jobs.output;

import dev.ldmforge.jobs.generate.StagedOutput;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring_index;

/**
 * The {@code parquet} format's rows: the {@code GeneratedImage} columns plus {@code image: struct<bytes: binary,
 * path: string>}, the layout of the Hugging Face {@code datasets} Image feature ({@code path} is the image's file
 * name, {@code <request_id>_<image_index>.<ext>}). Row groups hold {@value #ROW_GROUP_ROWS} rows: images make rows
 * large, and readers that fetch one row group at a time then hold a bounded number of them.
 */
public final class HfImage {
    public static final String COLUMN = "image";
    public static final String ROW_GROUP_ROWS_OPTION = "parquet.block.row.count.limit";
    public static final long ROW_GROUP_ROWS = 100;

    private HfImage() {
    }

    /** Staged image rows ({@link StagedOutput}) as metadata rows with the image column. */
    public static Dataset<Row> withImageColumn(Dataset<Row> stagedImages) {
        return stagedImages.select(col(StagedOutput.IMAGE + ".*"), struct(col(StagedOutput.BYTES).as("bytes"),
                substring_index(col(StagedOutput.IMAGE + ".image_uri"), "#", -1).as("path")).as(COLUMN));
    }
}
