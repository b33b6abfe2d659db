package dev.ldmforge.jobs.input;

import static org.apache.spark.sql.functions.col;

import dev.ldmforge.jobs.input.FileCheck.Outcome;
import dev.ldmforge.schemas.DeadLetter;
import dev.ldmforge.schemas.ErrorCode;
import dev.ldmforge.schemas.GenerationDefaults;
import dev.ldmforge.schemas.PromptValidator.UnknownFields;
import dev.ldmforge.schemas.SparkRows;
import dev.ldmforge.schemas.SparkSchemas;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Any supported prompt dataset (Parquet, JSON Lines, CSV; a file or a folder; local, {@code file://},
 * {@code s3://}/{@code s3a://}) as one Dataset of {@link #RECORDS}, then validated per record on the executors.
 * Every input record ends as exactly one row — records that cannot even be parsed and files that cannot be read
 * included — so {@code accepted + rejected == records} always holds.
 */
public final class PromptDatasets {
    public static final String SOURCE_FILE = "source_file";
    public static final String SOURCE_ROW = "source_row";
    public static final String ORIGINAL = "original";
    public static final String READ_ERROR_CODE = "read_error_code";
    public static final String READ_ERROR = "read_error";
    public static final String REQUEST_ID = "request_id";
    public static final String ERROR_CODE = "error_code";
    public static final String ERROR_MESSAGE = "error_message";
    public static final String REQUEST = "request";

    /**
     * One row per input record. {@code source_file}: the file's URI. {@code source_row}: 1-based line (JSON Lines),
     * data record after the header (CSV) or row (Parquet) number in that file; null for an unreadable file.
     * {@code original}: the record as a JSON object — the line itself for JSON Lines, the row's columns with their
     * own types for Parquet, the cells as strings for CSV — or the raw text when it could not be parsed; null for an
     * unreadable file. {@code read_error_code} ({@code MALFORMED_JSON}, {@code MALFORMED_CSV},
     * {@code UNREADABLE_FILE}) and {@code read_error}: why the record could not be read; null normally.
     */
    public static final StructType RECORDS = new StructType()
            .add(SOURCE_FILE, DataTypes.StringType, false)
            .add(SOURCE_ROW, DataTypes.LongType, true)
            .add(ORIGINAL, DataTypes.StringType, true)
            .add(READ_ERROR_CODE, DataTypes.StringType, true)
            .add(READ_ERROR, DataTypes.StringType, true);

    /**
     * {@link #RECORDS} plus the outcome: {@code request} (a {@link SparkSchemas#PROMPT_REQUEST} struct, the
     * normalised request) when accepted, else {@code error_code} and {@code error_message}; {@code request_id} when
     * known (accepted, or a rejected record with a valid {@code request_id} field).
     */
    public static final StructType VALIDATED = RECORDS
            .add(REQUEST_ID, DataTypes.StringType, true)
            .add(ERROR_CODE, DataTypes.StringType, true)
            .add(ERROR_MESSAGE, DataTypes.StringType, true)
            .add(REQUEST, SparkSchemas.PROMPT_REQUEST, true);

    private PromptDatasets() {}

    /** Same as {@link #read(SparkSession, String, PromptFormat)} with the format told from the extensions. */
    public static Dataset<Row> read(SparkSession spark, String location) {
        return read(spark, location, null);
    }

    /**
     * The records of a dataset, as {@link #RECORDS}. Files that cannot be read at all (found by a quick check of
     * each file first) are one {@code UNREADABLE_FILE} row each; empty files have no records. A file that passes
     * the check and still fails while Spark reads it (truncated further on, deleted meanwhile) fails the job. The
     * dataset is recomputed by every action: persist it to count and write from one read.
     *
     * @param format every file's format, or null to tell it from the extensions (one format per folder)
     * @throws IllegalArgumentException when the location does not exist, or its format is unknown or mixed
     */
    public static Dataset<Row> read(SparkSession spark, String location, PromptFormat format) {
        InputFiles input = InputFiles.resolve(spark.sparkContext().hadoopConfiguration(), location, format);
        List<Row> unreadable = new ArrayList<>();
        List<String> readable = new ArrayList<>();
        Map<String, List<String>> bySchema = new LinkedHashMap<>();
        List<FileCheck> checks = input.files().isEmpty() ? List.of()
                : FileCheck.run(spark, input.format(), input.files());
        for (FileCheck check : checks) {
            if (check.outcome() == Outcome.UNREADABLE) {
                unreadable.add(recordRow(InputFiles.sourceFile(check.file()), null, null, ErrorCode.UNREADABLE_FILE,
                        check.file() + ": cannot read the file: " + check.detail()));
            } else if (check.outcome() == Outcome.READABLE) {
                readable.add(check.file());
                bySchema.computeIfAbsent(check.detail(), k -> new ArrayList<>()).add(check.file());
            }
        }
        Dataset<Row> failed = spark.createDataFrame(unreadable, RECORDS);
        if (readable.isEmpty()) {
            return failed;
        }
        Dataset<Row> records = switch (input.format()) {
            case PARQUET -> ParquetSource.read(spark, new ArrayList<>(bySchema.values()));
            case JSON_LINES -> JsonLinesSource.read(spark, readable);
            case CSV -> CsvSource.read(spark, readable);
        };
        return records.union(failed);
    }

    /**
     * Validates every record (on the executors) into {@link #VALIDATED}: accepted with the normalised request, or
     * rejected with the validator's code, or the read error's.
     */
    public static Dataset<Row> validate(Dataset<Row> records, GenerationDefaults defaults, UnknownFields policy) {
        return records.mapPartitions(new ValidateRecords(defaults, policy), Encoders.row(VALIDATED));
    }

    public static Dataset<Row> accepted(Dataset<Row> validated) {
        return validated.filter(col(REQUEST).isNotNull());
    }

    public static Dataset<Row> rejected(Dataset<Row> validated) {
        return validated.filter(col(REQUEST).isNull());
    }

    /** A rejected {@link #VALIDATED} row as a dead letter. */
    public static DeadLetter deadLetter(Row rejected, Instant failedAt) {
        return new DeadLetter(rejected.getAs(REQUEST_ID), ErrorCode.valueOf(rejected.getAs(ERROR_CODE)),
                rejected.getAs(ERROR_MESSAGE), rejected.getAs(ORIGINAL), null, rejected.getAs(SOURCE_FILE),
                rejected.getAs(SOURCE_ROW), null, null, null, failedAt);
    }

    /** The rejected rows of {@link #VALIDATED} as {@link SparkSchemas#DEAD_LETTER} rows. */
    public static Dataset<Row> deadLetters(Dataset<Row> validated, Instant failedAt) {
        return rejected(validated).map((MapFunction<Row, Row>) row -> SparkRows.toRow(deadLetter(row, failedAt)),
                Encoders.row(SparkSchemas.DEAD_LETTER));
    }

    /** A readable record whose {@code original} is a JSON object. */
    static Row record(String file, long row, String original) {
        return recordRow(file, row, original, null, null);
    }

    /**
     * A {@link #RECORDS} row that carries its schema: Spark may hand the very object to the next typed operation
     * (no serialisation in between), whose code reads columns by name.
     */
    static Row recordRow(String file, Long row, String original, ErrorCode code, String message) {
        return new GenericRowWithSchema(new Object[] {file, row, original, code == null ? null : code.name(), message},
                RECORDS);
    }

    /** A column name as Spark's resolver reads it literally (dots and backticks included). */
    static String quoted(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}
