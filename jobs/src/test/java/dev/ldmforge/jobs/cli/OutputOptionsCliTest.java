package dev.ldmforge.jobs.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The output options of {@code generate} and {@code stream}: a bad value is a usage error naming flag and value. */
class OutputOptionsCliTest {
    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
        "generate, --output-format, tar, '--output-format must be one of files, webdataset, parquet, got tar'",
        "generate, --image-format, gif, '--image-format must be one of png, jpeg, webp, got gif'",
        "generate, --image-quality, 0, '--image-quality must be 1..100, got 0'",
        "generate, --samples-per-shard, 0, '--samples-per-shard must be at least 1, got 0'",
        "stream, --output-format, zip, '--output-format must be one of files, webdataset, parquet, got zip'"})
    void badValuesAreUsageErrors(String command, String option, String value, String message) {
        CliRun run = command.equals("generate")
                ? CliRun.of("generate", "--model", "tiny", "--prompts", "p.jsonl", option, value)
                : CliRun.of("stream", "--model", "tiny", "--bootstrap-servers", "127.0.0.1:1", "--topic", "t",
                        "--output", "o", "--checkpoint", "c", option, value);
        assertEquals(CliErrors.USAGE, run.exitCode(), run.toString());
        assertEquals(1, run.errLines().size(), run.toString());
        assertTrue(run.errLines().get(0).contains(message), run.toString());
    }
}
