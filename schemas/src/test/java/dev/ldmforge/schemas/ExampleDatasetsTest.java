package dev.ldmforge.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed example datasets are what {@link ExampleDatasets} writes. To regenerate them:
 * {@code mvn -o -pl schemas test -Dtest=ExampleDatasetsTest -Dldmforge.examples.write=true}.
 */
class ExampleDatasetsTest {
    private static final Path EXAMPLES = Path.of("examples"); // surefire runs in the module folder
    private static final String HOW_TO_FIX = " is out of date: rerun with -Dldmforge.examples.write=true";

    @BeforeAll
    static void regenerateWhenAsked() throws IOException {
        if (Boolean.getBoolean("ldmforge.examples.write")) {
            ExampleDatasets.write(EXAMPLES, LocalSpark.session());
        }
    }

    @Test
    void jsonlFilesAreUpToDate() throws IOException {
        assertEquals(ExampleDatasets.promptsJsonl(), read(ExampleDatasets.PROMPTS_JSONL),
                ExampleDatasets.PROMPTS_JSONL + HOW_TO_FIX);
        assertEquals(ExampleDatasets.badRowsJsonl(), read(ExampleDatasets.BAD_ROWS_JSONL),
                ExampleDatasets.BAD_ROWS_JSONL + HOW_TO_FIX);
    }

    @Test
    void parquetHoldsTheSameRows() {
        Dataset<Row> parquet = LocalSpark.session().read()
                .parquet(EXAMPLES.resolve(ExampleDatasets.PROMPTS_PARQUET).toString());
        assertEquals(SparkSchemas.PROMPT_REQUEST.asNullable(), parquet.schema().asNullable());
        List<PromptRequest> rows = parquet.collectAsList().stream()
                .map(row -> SparkRows.fromRow(row, PromptRequest.class)).toList();
        assertEquals(ExampleDatasets.promptRecords(), rows, ExampleDatasets.PROMPTS_PARQUET + HOW_TO_FIX);
    }

    @Test
    void everyGoodPromptIsAcceptedWithADistinctId() throws InvalidRecordException {
        PromptValidator validator = new PromptValidator(GenerationDefaults.DIFFUSERS,
                PromptValidator.UnknownFields.REJECT);
        List<String> ids = new ArrayList<>();
        for (String line : ExampleDatasets.promptsJsonl().split("\n")) {
            ids.add(assertInstanceOf(Validation.Accepted.class, validator.validate(JsonCodec.readFields(line)), line)
                    .request().requestId());
        }
        assertEquals(12, ids.stream().distinct().count());
    }

    @Test
    void badRowsGetTheirErrorCodes() {
        PromptValidator validator = new PromptValidator(GenerationDefaults.DIFFUSERS);
        List<ErrorCode> expected = ExampleDatasets.badRows().stream().map(ExampleDatasets.Line::expected)
                .collect(Collectors.toList());
        List<ErrorCode> actual = new ArrayList<>();
        for (ExampleDatasets.Line line : ExampleDatasets.badRows()) {
            try {
                actual.add(validator.validate(JsonCodec.readFields(line.json())) instanceof Validation.Rejected r
                        ? r.code() : null);
            } catch (InvalidRecordException e) {
                actual.add(e.code());
            }
        }
        assertEquals(expected, actual);
    }

    private static String read(String name) throws IOException {
        return Files.readString(EXAMPLES.resolve(name));
    }
}
