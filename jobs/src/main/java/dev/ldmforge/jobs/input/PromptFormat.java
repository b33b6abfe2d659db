package dev.ldmforge.jobs.input;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The prompt dataset formats, told apart by file extension unless the caller names one. */
public enum PromptFormat {
    PARQUET(false, "parquet"),
    /** One JSON object per line; {@code .json} files are read as JSON Lines too (not as one JSON document). */
    JSON_LINES(true, "jsonl", "json", "ndjson"),
    /** A header row, then one record per row; every value is a string. */
    CSV(true, "csv");

    /** Hadoop decompresses these transparently for the text formats. */
    private static final List<String> COMPRESSIONS = List.of(".gz", ".bz2");

    private final boolean text;
    private final List<String> extensions;

    PromptFormat(boolean text, String... extensions) {
        this.text = text;
        this.extensions = List.of(extensions);
    }

    boolean isText() {
        return text;
    }

    /** The format a file name's extension stands for, if any. */
    static Optional<PromptFormat> ofFileName(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        String uncompressed = COMPRESSIONS.stream().filter(name::endsWith).findFirst()
                .map(c -> name.substring(0, name.length() - c.length())).orElse(name);
        return Arrays.stream(values())
                .filter(f -> f.extensions.stream().anyMatch(e -> (f.text ? uncompressed : name).endsWith("." + e)))
                .findFirst();
    }

    /** A format by name, as on the command line: {@code parquet}, {@code jsonl} (or json, ndjson), {@code csv}. */
    public static PromptFormat named(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.extensions.contains(lower)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown prompt dataset format \"" + name + "\": expected parquet, jsonl, json, ndjson or csv"));
    }
}
