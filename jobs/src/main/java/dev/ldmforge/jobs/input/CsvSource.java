package dev.ldmforge.jobs.input;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import dev.ldmforge.schemas.ErrorCode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * CSV files (header row, then records; RFC 4180 quoting, so a quoted cell may hold commas and newlines) as records.
 * Every cell is a string: the validator reads exact numeric strings as numbers. {@code source_row} counts data
 * records from 1 after the header (not physical lines: a record may span several). Each file is read with its own
 * header, so files may order or name their columns differently. A record whose number of cells differs from the
 * header's is a record with {@code MALFORMED_CSV}, its raw text as {@code original}.
 */
final class CsvSource {
    private static final String CORRUPT = "_ldmforge_corrupt_record";
    private static final String JSON = "json";

    private CsvSource() {}

    static Dataset<Row> read(SparkSession spark, List<String> files) {
        Dataset<Row> rows = files.stream().map(file -> readFile(spark, file))
                .reduce(Dataset::union).orElseThrow();
        return LineNumbers.number(rows).map((MapFunction<Row, Row>) CsvSource::record,
                Encoders.row(PromptDatasets.RECORDS));
    }

    private static Dataset<Row> readFile(SparkSession spark, String file) {
        StructType header = reader(spark).csv(file).schema();
        StructType withCorrupt = header.add(CORRUPT, DataTypes.StringType);
        Dataset<Row> cells = reader(spark).schema(withCorrupt)
                .option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT).csv(file);
        Column[] values = Arrays.stream(header.fieldNames()).map(name -> cells.col(PromptDatasets.quoted(name)))
                .toArray(Column[]::new);
        return cells.select(lit(InputFiles.sourceFile(file)).as(PromptDatasets.SOURCE_FILE),
                values.length == 0 ? lit("{}").as(JSON)
                        : to_json(struct(values), Map.of("ignoreNullFields", "false")).as(JSON),
                col(CORRUPT));
    }

    private static DataFrameReader reader(SparkSession spark) {
        // RFC 4180: a quote inside a quoted cell is doubled (Spark's default escape is a backslash).
        return spark.read().option("header", true).option("multiLine", true).option("escape", "\"");
    }

    private static Row record(Row row) {
        String file = row.getAs(PromptDatasets.SOURCE_FILE);
        long number = row.<Long>getAs(PromptDatasets.SOURCE_ROW);
        String corrupt = row.getAs(CORRUPT);
        return corrupt == null ? PromptDatasets.record(file, number, row.getAs(JSON))
                : PromptDatasets.recordRow(file, number, corrupt, ErrorCode.MALFORMED_CSV,
                        "record: the number of cells differs from the header's: " + corrupt);
    }
}
