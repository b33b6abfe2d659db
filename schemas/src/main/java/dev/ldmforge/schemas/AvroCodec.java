package dev.ldmforge.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Avro binary for the three records: the bare datum written with this module's schema (no container header, no
 * schema-registry prefix), as a Kafka message value carries it. Bytes that do not decode to exactly one record are
 * {@link ErrorCode#MALFORMED_AVRO}.
 */
public final class AvroCodec {
    private AvroCodec() {}

    public static byte[] write(Record record) {
        Schema schema = Schemas.of(record.getClass());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        try {
            new GenericDatumWriter<GenericRecord>(schema).write(AvroRecords.toGeneric(record), encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static <R extends Record> R read(byte[] bytes, Class<R> type) throws InvalidRecordException {
        return AvroRecords.fromGeneric(decode(bytes, Schemas.of(type)), type);
    }

    /** A {@code PromptRequest} datum as the generic field map {@link PromptValidator} takes. */
    public static Map<String, Object> readFields(byte[] bytes) throws InvalidRecordException {
        GenericRecord record = decode(bytes, Schemas.PROMPT_REQUEST);
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Schema.Field field : Schemas.PROMPT_REQUEST.getFields()) {
            fields.put(field.name(), AvroRecords.toJava(record.get(field.pos()), field.schema(), Object.class));
        }
        return fields;
    }

    private static GenericRecord decode(byte[] bytes, Schema schema) throws InvalidRecordException {
        String problem = AvroBounds.problem(bytes, schema);
        if (problem != null) {
            throw new InvalidRecordException(ErrorCode.MALFORMED_AVRO, "record: " + bytes.length
                    + " bytes are not a " + schema.getName() + " Avro datum (" + problem + ")");
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
        try {
            GenericRecord record = new GenericDatumReader<GenericRecord>(schema).read(null, decoder);
            if (!decoder.isEnd()) {
                throw new InvalidRecordException(ErrorCode.MALFORMED_AVRO, "record: " + schema.getName()
                        + " datum followed by unread bytes (" + bytes.length + " bytes in all)");
            }
            return record;
        } catch (IOException | RuntimeException e) {
            // Avro reports garbage as EOF, negative lengths, bad union or enum indexes, or limit violations.
            throw new InvalidRecordException(ErrorCode.MALFORMED_AVRO, "record: " + bytes.length
                    + " bytes are not a " + schema.getName() + " Avro datum (" + e + ")");
        }
    }
}
