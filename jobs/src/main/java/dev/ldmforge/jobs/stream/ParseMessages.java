package dev.ldmforge.jobs.stream;

import dev.ldmforge.jobs.input.PromptDatasets;
import dev.ldmforge.jobs.input.ValidateRecords;
import dev.ldmforge.schemas.ErrorCode;
import dev.ldmforge.schemas.GenerationDefaults;
import dev.ldmforge.schemas.InvalidRecordException;
import dev.ldmforge.schemas.PromptRequest;
import dev.ldmforge.schemas.PromptValidator;
import dev.ldmforge.schemas.SparkRows;
import dev.ldmforge.schemas.SparkSchemas;
import dev.ldmforge.schemas.Validation;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.Iterator;
import java.util.Map;

/**
 * Kafka records ({@link #INPUT}: {@code value, topic, partition, offset}, read by position) to {@link #SCHEMA} rows on the executors: decoded and
 * validated, accepted with the normalised request or rejected with a code. Nothing a message contains can fail the
 * task: oversized, undecodable and invalid messages all become rejected rows (dead letters), never a stalled stream.
 */
final class ParseMessages implements MapPartitionsFunction<Row, Row> {
    static final String TOPIC = "topic";
    static final String PARTITION = "partition";
    static final String OFFSET = "offset";
    static final String VALUE = "value";

    static final String[] INPUT = {VALUE, TOPIC, PARTITION, OFFSET};

    /** Source position and bytes, then {@link PromptDatasets#VALIDATED}'s outcome columns (same names). */
    static final StructType SCHEMA = new StructType()
            .add(TOPIC, DataTypes.StringType, false)
            .add(PARTITION, DataTypes.IntegerType, false)
            .add(OFFSET, DataTypes.LongType, false)
            .add(VALUE, DataTypes.BinaryType, true)
            .add(PromptDatasets.ORIGINAL, DataTypes.StringType, true)
            .add(PromptDatasets.REQUEST_ID, DataTypes.StringType, true)
            .add(PromptDatasets.ERROR_CODE, DataTypes.StringType, true)
            .add(PromptDatasets.ERROR_MESSAGE, DataTypes.StringType, true)
            .add(PromptDatasets.REQUEST, SparkSchemas.PROMPT_REQUEST, true);

    private final MessageFormat format;
    private final int maxMessageBytes;
    private final int maxPromptChars;
    private final GenerationDefaults defaults;
    private final PromptValidator.UnknownFields policy;

    ParseMessages(MessageFormat format, int maxMessageBytes, int maxPromptChars, GenerationDefaults defaults,
                  PromptValidator.UnknownFields policy) {
        this.format = format;
        this.maxMessageBytes = maxMessageBytes;
        this.maxPromptChars = maxPromptChars;
        this.defaults = defaults;
        this.policy = policy;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> messages) {
        PromptValidator validator = new PromptValidator(defaults, policy);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return messages.hasNext();
            }

            @Override
            public Row next() {
                return parse(validator, messages.next());
            }
        };
    }

    private Row parse(PromptValidator validator, Row message) {
        byte[] value = (byte[]) message.get(0);
        if (value == null) {
            return rejected(message, null, null, format.malformed(), "record: the message has no value");
        }
        if (value.length > maxMessageBytes) {
            // Not even decoded: a huge message must not cost executor memory beyond its bytes.
            return rejected(message, null, null, ErrorCode.MESSAGE_TOO_LARGE, "record: " + value.length
                    + " bytes, more than --max-message-bytes " + maxMessageBytes);
        }
        String original = format.text(value);
        Map<String, Object> fields;
        try {
            fields = format.fields(value);
        } catch (InvalidRecordException e) {
            return rejected(message, original, null, e.code(), e.getMessage());
        }
        Validation validation = validator.validate(fields);
        if (validation instanceof Validation.Rejected r) {
            return rejected(message, original, ValidateRecords.knownRequestId(validator, fields), r.code(),
                    r.message());
        }
        PromptRequest request = ((Validation.Accepted) validation).request();
        for (String[] text : new String[][] {{"prompt", request.prompt()},
            {"negative_prompt", request.negativePrompt()}, {"prompt_2", request.prompt2()},
            {"negative_prompt_2", request.negativePrompt2()}}) {
            int chars = text[1] == null ? 0 : text[1].codePointCount(0, text[1].length());
            if (chars > maxPromptChars) {
                return rejected(message, original, request.requestId(), ErrorCode.PROMPT_TOO_LONG, text[0] + ": "
                        + chars + " characters, more than --max-prompt-chars " + maxPromptChars);
            }
        }
        return row(message, original, request.requestId(), null, null, SparkRows.toRow(request));
    }

    private static Row rejected(Row message, String original, String requestId, ErrorCode code, String why) {
        return row(message, original, requestId, code.name(), why, null);
    }

    private static Row row(Row message, String original, String requestId, String code, String why, Row request) {
        return RowFactory.create(message.get(1), message.get(2), message.get(3), message.get(0), original,
                requestId, code, why, request);
    }
}
