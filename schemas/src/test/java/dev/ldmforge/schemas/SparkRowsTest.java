package dev.ldmforge.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkRowsTest {
    private final SparkSession spark = LocalSpark.session();

    @Test
    void recordsRoundTripThroughParquet(@TempDir Path dir) {
        assertEquals(Samples.promptRequest(), viaParquet(Samples.promptRequest(), SparkSchemas.PROMPT_REQUEST, dir));
        assertEquals(Samples.generatedImage(), viaParquet(Samples.generatedImage(), SparkSchemas.GENERATED_IMAGE,
                dir));
        assertEquals(Samples.deadLetter(), viaParquet(Samples.deadLetter(), SparkSchemas.DEAD_LETTER, dir));
    }

    @Test
    void parquetRowValidatesLikeJson(@TempDir Path dir) {
        PromptRequest request = Samples.promptRequest();
        String path = dir.resolve("requests").toString();
        spark.createDataFrame(List.of(SparkRows.toRow(request)), SparkSchemas.PROMPT_REQUEST).write().parquet(path);
        Row row = spark.read().parquet(path).collectAsList().get(0);
        Validation validation = new PromptValidator(GenerationDefaults.DIFFUSERS).validate(SparkRows.fields(row));
        assertEquals(request, assertInstanceOf(Validation.Accepted.class, validation).request());
    }

    @Test
    void csvStringsFollowTheCsvTypingRule(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("prompts.csv");
        Files.writeString(csv, """
                prompt,num_inference_steps,guidance_scale,width,seed,notes
                a cat,30,7.5,640,42,ignored column
                a dog,fifty,7.5,512,,
                """);
        List<Row> rows = spark.read().option("header", true).csv(csv.toString()).collectAsList();
        PromptValidator validator = new PromptValidator(GenerationDefaults.DIFFUSERS);

        PromptRequest cat = assertInstanceOf(Validation.Accepted.class,
                validator.validate(SparkRows.fields(rows.get(0)))).request();
        assertEquals(List.of(30, 7.5, 640, 42L), List.of(cat.numInferenceSteps(), cat.guidanceScale(), cat.width(),
                cat.seed()));
        Validation.Rejected dog = assertInstanceOf(Validation.Rejected.class,
                validator.validate(SparkRows.fields(rows.get(1))));
        assertEquals(ErrorCode.WRONG_TYPE, dog.code());
        assertEquals("num_inference_steps: expected a number, got string \"fifty\"", dog.message());
    }

    @Test
    void fieldsConvertScalaMaps() {
        Row row = spark.createDataFrame(List.of(SparkRows.toRow(Samples.promptRequest())),
                SparkSchemas.PROMPT_REQUEST).collectAsList().get(0);
        assertEquals(Samples.metadata(), Map.copyOf((Map<?, ?>) SparkRows.fields(row).get("metadata")));
    }

    @Test
    void jsonReadBySparkTurnsNestedObjectsIntoMaps(@TempDir Path dir) throws IOException {
        Path jsonl = dir.resolve("prompts.jsonl");
        Files.writeString(jsonl, "{\"prompt\":\"a cat\",\"metadata\":{\"source\":\"x\"}}\n");
        Row row = spark.read().json(jsonl.toString()).collectAsList().get(0);
        PromptRequest request = assertInstanceOf(Validation.Accepted.class,
                new PromptValidator(GenerationDefaults.DIFFUSERS).validate(SparkRows.fields(row))).request();
        assertEquals(Map.of("source", "x"), request.metadata());
    }

    private <R extends Record> R viaParquet(R record, StructType schema, Path dir) {
        String path = dir.resolve(record.getClass().getSimpleName()).toString();
        spark.createDataFrame(List.of(SparkRows.toRow(record)), schema).write().parquet(path);
        @SuppressWarnings("unchecked")
        Class<R> type = (Class<R>) record.getClass();
        return SparkRows.fromRow(spark.read().parquet(path).collectAsList().get(0), type);
    }
}
