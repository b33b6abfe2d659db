package dev.ldmforge.jobs.input;

import dev.ldmforge.schemas.GenerationDefaults;
import dev.ldmforge.schemas.InvalidRecordException;
import dev.ldmforge.schemas.JsonCodec;
import dev.ldmforge.schemas.PromptValidator;
import dev.ldmforge.schemas.PromptValidator.UnknownFields;
import dev.ldmforge.schemas.SparkRows;
import dev.ldmforge.schemas.Validation;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;

/**
 * {@link PromptDatasets#RECORDS} rows to {@link PromptDatasets#VALIDATED} rows, one partition at a time. Holds the
 * defaults as plain values (the schemas records are not Serializable) and builds one validator per partition.
 */
public final class ValidateRecords implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    // Input rows are read by position: they may come without a schema.
    private static final int ORIGINAL = PromptDatasets.RECORDS.fieldIndex(PromptDatasets.ORIGINAL);
    private static final int READ_ERROR_CODE = PromptDatasets.RECORDS.fieldIndex(PromptDatasets.READ_ERROR_CODE);
    private static final int READ_ERROR = PromptDatasets.RECORDS.fieldIndex(PromptDatasets.READ_ERROR);

    private final GenerationDefaults defaults;
    private final UnknownFields policy;

    ValidateRecords(GenerationDefaults defaults, UnknownFields policy) {
        new PromptValidator(defaults, policy); // refuses bad defaults here, on the driver, not in every task
        this.defaults = defaults;
        this.policy = policy;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> records) {
        PromptValidator validator = new PromptValidator(defaults, policy);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return records.hasNext();
            }

            @Override
            public Row next() {
                return validated(validator, records.next());
            }
        };
    }

    private static Row validated(PromptValidator validator, Row record) {
        String readErrorCode = record.getString(READ_ERROR_CODE);
        if (readErrorCode != null) {
            return outcome(record, null, readErrorCode, record.getString(READ_ERROR), null);
        }
        Map<String, Object> fields;
        try {
            fields = JsonCodec.readFields(record.getString(ORIGINAL));
        } catch (InvalidRecordException e) { // the sources only pass on JSON objects; kept as a dead letter anyway
            return outcome(record, null, e.code().name(), e.getMessage(), null);
        }
        Validation validation = validator.validate(fields);
        if (validation instanceof Validation.Accepted accepted) {
            return outcome(record, accepted.request().requestId(), null, null, SparkRows.toRow(accepted.request()));
        }
        Validation.Rejected rejected = (Validation.Rejected) validation;
        return outcome(record, knownRequestId(validator, fields), rejected.code().name(), rejected.message(), null);
    }

    /** The record's own request_id, if it is a valid one (for a rejected record's dead letter). */
    public static String knownRequestId(PromptValidator validator, Map<String, Object> fields) {
        Object id = fields.get("request_id");
        return id instanceof CharSequence
                && validator.validate(Map.of("prompt", "x", "request_id", id)) instanceof Validation.Accepted
                ? id.toString() : null;
    }

    private static Row outcome(Row record, String requestId, String errorCode, String errorMessage, Row request) {
        Object[] values = new Object[PromptDatasets.VALIDATED.size()];
        int columns = PromptDatasets.RECORDS.size();
        for (int i = 0; i < columns; i++) {
            values[i] = record.get(i);
        }
        values[columns] = requestId;
        values[columns + 1] = errorCode;
        values[columns + 2] = errorMessage;
        values[columns + 3] = request;
        return new GenericRowWithSchema(values, PromptDatasets.VALIDATED); // see PromptDatasets.recordRow
    }
}
