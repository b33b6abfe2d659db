package dev.ldmforge.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written Java records and enums agree with the .avsc files: names, order, types, nullability. */
class RecordSchemasTest {

    @ParameterizedTest
    @ValueSource(classes = {PromptRequest.class, GeneratedImage.class, DeadLetter.class})
    void componentsMatchSchemaFields(Class<? extends Record> type) {
        Schema schema = Schemas.of(type);
        assertEquals(type.getSimpleName(), schema.getName());
        List<String> fieldNames = schema.getFields().stream().map(Schema.Field::name).toList();
        List<String> componentNames = Arrays.stream(type.getRecordComponents())
                .map(c -> AvroRecords.fieldName(c.getName())).toList();
        assertEquals(fieldNames, componentNames);
        for (RecordComponent component : type.getRecordComponents()) {
            Schema.Field field = schema.getField(AvroRecords.fieldName(component.getName()));
            assertEquals(javaType(field.schema()), component.getType(), field.name());
        }
    }

    @Test
    void enumsMatchSchemaSymbols() {
        assertEquals(symbols(Schemas.DEAD_LETTER, "error_code"), names(ErrorCode.values()));
        assertEquals(symbols(Schemas.GENERATED_IMAGE, "status"), names(ImageStatus.values()));
    }

    @Test
    void metadataIsAStringMapDefaultingToEmpty() {
        for (Schema schema : List.of(Schemas.PROMPT_REQUEST, Schemas.GENERATED_IMAGE)) {
            Schema.Field metadata = schema.getField("metadata");
            assertEquals(Schema.Type.STRING, metadata.schema().getValueType().getType());
            assertEquals(Map.of(), metadata.defaultVal());
        }
    }

    /** The Java type a component must have for an Avro field: boxed when optional, primitive otherwise. */
    private static Class<?> javaType(Schema schema) {
        boolean optional = AvroRecords.isOptional(schema);
        Schema type = AvroRecords.nonNull(schema);
        return switch (type.getType()) {
            case STRING -> String.class;
            case INT -> optional ? Integer.class : int.class;
            case LONG -> type.getLogicalType() instanceof LogicalTypes.TimestampMillis ? Instant.class
                    : optional ? Long.class : long.class;
            case DOUBLE -> optional ? Double.class : double.class;
            case BOOLEAN -> optional ? Boolean.class : boolean.class;
            case BYTES -> byte[].class;
            case MAP -> Map.class;
            case ENUM -> switch (type.getName()) {
                case "ErrorCode" -> ErrorCode.class;
                case "ImageStatus" -> ImageStatus.class;
                default -> throw new AssertionError("no Java enum for " + type.getName());
            };
            default -> throw new AssertionError("unexpected Avro type " + type);
        };
    }

    private static List<String> symbols(Schema schema, String field) {
        return schema.getField(field).schema().getEnumSymbols();
    }

    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toList();
    }
}
