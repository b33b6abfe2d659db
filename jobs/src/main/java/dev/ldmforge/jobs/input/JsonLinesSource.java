package dev.ldmforge.jobs.input;

import static org.apache.spark.sql.functions.col;

import dev.ldmforge.schemas.InvalidRecordException;
import dev.ldmforge.schemas.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * JSON Lines files as records. {@code source_row} is the physical line number (counting blank lines); blank lines
 * (whitespace only) are not records and produce nothing. A line that is not one JSON object in UTF-8 is a record
 * with {@code MALFORMED_JSON}. Lines are read as bytes, so invalid UTF-8 is seen rather than silently replaced.
 */
final class JsonLinesSource {
    private static final String BYTES = "bytes";

    private JsonLinesSource() {}

    static Dataset<Row> read(SparkSession spark, List<String> files) {
        Dataset<Row> lines = spark.read().text(files.toArray(String[]::new))
                .select(col("_metadata.file_path").as(PromptDatasets.SOURCE_FILE),
                        col("value").cast("binary").as(BYTES));
        return LineNumbers.number(lines).flatMap(
                (FlatMapFunction<Row, Row>) JsonLinesSource::record, Encoders.row(PromptDatasets.RECORDS));
    }

    private static Iterator<Row> record(Row line) {
        byte[] bytes = line.getAs(BYTES);
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return Collections.emptyIterator();
        }
        String file = line.getAs(PromptDatasets.SOURCE_FILE);
        long row = line.<Long>getAs(PromptDatasets.SOURCE_ROW);
        try {
            JsonCodec.readFields(bytes);
            return List.of(PromptDatasets.record(file, row, text)).iterator();
        } catch (InvalidRecordException e) {
            return List.of(PromptDatasets.recordRow(file, row, text, e.code(), e.getMessage())).iterator();
        }
    }
}
