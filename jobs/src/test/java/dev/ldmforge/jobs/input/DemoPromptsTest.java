package dev.ldmforge.jobs.input;

import dev.ldmforge.jobs.cli.LdmForgeCli;
import dev.ldmforge.schemas.GenerationDefaults;
import dev.ldmforge.schemas.PromptValidator.UnknownFields;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The prompts.jsonl of {@code demo-data} passes the validation {@code generate} applies to every record. */
class DemoPromptsTest {

    @Test
    void everyDemoPromptIsAcceptedEvenWhenUnknownFieldsAreRejected(@TempDir Path dir) throws IOException {
        assertEquals(0, LdmForgeCli.commandLine().execute("demo-data", "--output", dir.toString(), "--count", "20"));
        Path file = dir.resolve("prompts.jsonl");
        List<Row> records = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            records.add(PromptDatasets.record(file.toUri().toString(), i + 1, lines.get(i)));
        }
        Iterator<Row> validated = new ValidateRecords(GenerationDefaults.DIFFUSERS, UnknownFields.REJECT)
                .call(records.iterator());
        int accepted = 0;
        while (validated.hasNext()) {
            Row row = validated.next();
            assertNotNull(row.getAs(PromptDatasets.REQUEST), () -> row.getAs(PromptDatasets.ERROR_MESSAGE));
            assertEquals("demo-" + accepted, row.getAs(PromptDatasets.REQUEST_ID));
            accepted++;
        }
        assertEquals(20, accepted);
    }
}
