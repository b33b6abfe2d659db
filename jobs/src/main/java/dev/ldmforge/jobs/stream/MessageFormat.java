package dev.ldmforge.jobs.stream;

import dev.ldmforge.schemas.AvroCodec;
import dev.ldmforge.schemas.ErrorCode;
import dev.ldmforge.schemas.InvalidRecordException;
import dev.ldmforge.schemas.JsonCodec;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/** How prompt messages are encoded: a JSON object with PromptRequest's field names, or a binary Avro datum. */
public enum MessageFormat {
    JSON(ErrorCode.MALFORMED_JSON),
    AVRO(ErrorCode.MALFORMED_AVRO);

    private final ErrorCode malformed;

    MessageFormat(ErrorCode malformed) {
        this.malformed = malformed;
    }

    /** {@code json} or {@code avro}, any case. */
    public static MessageFormat parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--format must be json or avro, got " + name);
        }
    }

    /** The code of a message that cannot be decoded at all. */
    ErrorCode malformed() {
        return malformed;
    }

    Map<String, Object> fields(byte[] value) throws InvalidRecordException {
        return this == JSON ? JsonCodec.readFields(value) : AvroCodec.readFields(value);
    }

    /** The message as text for dead letters and metadata: JSON only (Avro stays bytes). */
    String text(byte[] value) {
        return this == JSON ? new String(value, StandardCharsets.UTF_8) : null;
    }
}
