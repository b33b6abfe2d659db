package dev.ldmforge.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.avro.Schema;

/** The Avro schemas (classpath {@code dev/ldmforge/schemas/*.avsc}), the single source of truth for the records. */
public final class Schemas {
    public static final Schema PROMPT_REQUEST = load("PromptRequest");
    public static final Schema GENERATED_IMAGE = load("GeneratedImage");
    public static final Schema DEAD_LETTER = load("DeadLetter");

    private static final Map<Class<? extends Record>, Schema> BY_TYPE = Map.of(
            PromptRequest.class, PROMPT_REQUEST,
            GeneratedImage.class, GENERATED_IMAGE,
            DeadLetter.class, DEAD_LETTER);

    private Schemas() {}

    /** The schema of one of the three record types. */
    public static Schema of(Class<? extends Record> type) {
        Schema schema = BY_TYPE.get(type);
        if (schema == null) {
            throw new IllegalArgumentException("no Avro schema for " + type.getName());
        }
        return schema;
    }

    private static Schema load(String name) {
        String resource = name + ".avsc";
        try (InputStream in = Schemas.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource dev/ldmforge/schemas/" + resource);
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
