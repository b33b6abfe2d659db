package dev.ldmforge.schemas;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Plain JSON for the three records, with the Avro field names (Kafka messages, result events, dead-letter files).
 * Not Avro's JSON encoding: an optional field is its value or null, not {@code {"string": ...}}. Timestamps are epoch
 * milliseconds, bytes are base64 strings, enums their symbol. Duplicate keys and trailing content are malformed.
 */
public final class JsonCodec {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS) // "7.5" stays exactly 7.5
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonCodec() {}

    /** A JSON object as the generic field map {@link PromptValidator} takes (numbers exact, nested maps kept). */
    public static Map<String, Object> readFields(String json) throws InvalidRecordException {
        JsonNode node = parse(json);
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = MAPPER.convertValue(node, LinkedHashMap.class);
        return fields;
    }

    /** Same, from a message's UTF-8 bytes; invalid UTF-8 is malformed, not silently replaced. */
    public static Map<String, Object> readFields(byte[] utf8) throws InvalidRecordException {
        try {
            return readFields(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(utf8)).toString());
        } catch (CharacterCodingException e) {
            throw new InvalidRecordException(ErrorCode.MALFORMED_JSON,
                    "record: " + utf8.length + " bytes are not UTF-8 (" + e.getMessage() + ")");
        }
    }

    public static String write(Record record) {
        try {
            return MAPPER.writeValueAsString(toJson(AvroRecords.toGeneric(record), Schemas.of(record.getClass())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A record of the given type, typed strictly by its schema: absent optional fields are null, fields not in the
     * schema are ignored (newer writers may add some).
     */
    public static <R extends Record> R read(String json, Class<R> type) throws InvalidRecordException {
        Schema schema = Schemas.of(type);
        return AvroRecords.fromGeneric((GenericRecord) fromJson(parse(json), schema, schema.getName()), type);
    }

    private static JsonNode parse(String json) throws InvalidRecordException {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new InvalidRecordException(ErrorCode.MALFORMED_JSON,
                    "record: not valid JSON (" + e.getOriginalMessage() + location(e) + "): " + RawFields.show(json));
        }
        if (node == null || !node.isObject()) {
            throw new InvalidRecordException(ErrorCode.MALFORMED_JSON,
                    "record: expected a JSON object, got " + RawFields.show(json));
        }
        return node;
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
    }

    private static JsonNode toJson(Object value, Schema schema) {
        if (value == null) {
            return NODES.nullNode();
        }
        Schema type = AvroRecords.nonNull(schema);
        return switch (type.getType()) {
            case RECORD -> {
                ObjectNode object = NODES.objectNode();
                for (Schema.Field field : type.getFields()) {
                    object.set(field.name(), toJson(((GenericRecord) value).get(field.pos()), field.schema()));
                }
                yield object;
            }
            case MAP -> {
                ObjectNode object = NODES.objectNode();
                ((Map<?, ?>) value).forEach((k, v) -> object.set(k.toString(), toJson(v, type.getValueType())));
                yield object;
            }
            case BYTES -> NODES.textNode(Base64.getEncoder().encodeToString(AvroRecords.bytes((ByteBuffer) value)));
            default -> MAPPER.valueToTree(value instanceof CharSequence || value instanceof GenericData.EnumSymbol
                    ? value.toString() : value);
        };
    }

    private static Object fromJson(JsonNode node, Schema schema, String path) throws InvalidRecordException {
        if (node == null || node.isNull()) {
            if (AvroRecords.isOptional(schema)) {
                return null;
            }
            throw new InvalidRecordException(ErrorCode.MISSING_FIELD, path + ": missing");
        }
        Schema type = AvroRecords.nonNull(schema);
        switch (type.getType()) {
            case RECORD -> {
                if (!node.isObject()) {
                    break;
                }
                GenericRecord record = new GenericData.Record(type);
                for (Schema.Field field : type.getFields()) {
                    JsonNode child = node.get(field.name());
                    record.put(field.pos(), child == null && field.hasDefaultValue()
                            ? GenericData.get().getDefaultValue(field)
                            : fromJson(child, field.schema(), field.name()));
                }
                return record;
            }
            case MAP -> {
                if (!node.isObject()) {
                    break;
                }
                Map<String, Object> map = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> entry : node.properties()) {
                    map.put(entry.getKey(), fromJson(entry.getValue(), type.getValueType(),
                            path + "." + entry.getKey()));
                }
                return map;
            }
            case STRING -> {
                if (node.isTextual()) {
                    return node.textValue();
                }
            }
            case ENUM -> {
                if (node.isTextual() && type.hasEnumSymbol(node.textValue())) {
                    return new GenericData.EnumSymbol(type, node.textValue());
                }
            }
            case INT -> {
                if (node.isIntegralNumber() && node.canConvertToInt()) {
                    return node.intValue();
                }
            }
            case LONG -> {
                if (node.isIntegralNumber() && node.canConvertToLong()) {
                    return node.longValue();
                }
            }
            case DOUBLE -> {
                if (node.isNumber()) {
                    return node.doubleValue();
                }
            }
            case BOOLEAN -> {
                if (node.isBoolean()) {
                    return node.booleanValue();
                }
            }
            case BYTES -> {
                if (node.isTextual()) {
                    try {
                        return ByteBuffer.wrap(Base64.getDecoder().decode(node.textValue()));
                    } catch (IllegalArgumentException e) {
                        break;
                    }
                }
            }
            default -> throw new IllegalStateException("no JSON mapping for Avro " + type);
        }
        throw new InvalidRecordException(ErrorCode.WRONG_TYPE,
                path + ": expected " + type.getType().getName() + ", got " + RawFields.show(node));
    }
}
