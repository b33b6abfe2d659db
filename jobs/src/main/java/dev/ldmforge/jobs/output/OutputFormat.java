package dev.ldmforge.jobs.output;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a job lays out its images: {@code files} (one object per image under {@code images/}), {@code webdataset}
 * (tar shards under {@code shards/}, {@link ShardWriter}) or {@code parquet} (the image bytes inside the
 * {@code metadata/} rows, as the Hugging Face {@code datasets} Image feature stores them, {@link HfImage}).
 */
public enum OutputFormat {
    FILES, WEBDATASET, PARQUET;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static OutputFormat parse(String name) {
        for (OutputFormat f : values()) {
            if (f.cliName().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("--output-format must be one of " + Arrays.stream(values())
                .map(OutputFormat::cliName).collect(Collectors.joining(", ")) + ", got " + name);
    }
}
