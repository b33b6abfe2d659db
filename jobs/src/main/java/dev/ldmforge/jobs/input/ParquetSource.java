package dev.ldmforge.jobs.input;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * Parquet files as records: {@code source_row} is the row index within its file + 1, {@code original} the row as a
 * JSON object of its columns with their own types (nulls kept). Files are read in groups of one schema and then
 * united, so files with other column types, missing or extra columns all load and are judged row by row.
 */
final class ParquetSource {
    private ParquetSource() {}

    /** @param filesBySchema the files of each Parquet schema */
    static Dataset<Row> read(SparkSession spark, List<List<String>> filesBySchema) {
        return filesBySchema.stream().map(files -> readGroup(spark, files)).reduce(Dataset::union).orElseThrow();
    }

    private static Dataset<Row> readGroup(SparkSession spark, List<String> files) {
        Dataset<Row> rows = spark.read().parquet(files.toArray(String[]::new));
        Column[] values = Arrays.stream(rows.columns()).map(name -> rows.col(PromptDatasets.quoted(name)))
                .toArray(Column[]::new);
        return rows.select(col("_metadata.file_path").as(PromptDatasets.SOURCE_FILE),
                col("_metadata.row_index").plus(1).cast("long").as(PromptDatasets.SOURCE_ROW),
                (values.length == 0 ? lit("{}") : to_json(struct(values), Map.of("ignoreNullFields", "false")))
                        .as(PromptDatasets.ORIGINAL),
                lit(null).cast(DataTypes.StringType).as(PromptDatasets.READ_ERROR_CODE),
                lit(null).cast(DataTypes.StringType).as(PromptDatasets.READ_ERROR));
    }
}
