package dev.ldmforge.schemas;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Maps the Java records to Avro generic records and back by name: Avro field {@code num_inference_steps} is record
 * component {@code numInferenceSteps}. Java values: {@code Instant} for timestamp-millis, Java enums for Avro enums,
 * {@code byte[]} for bytes, {@code Map<String, String>} for maps.
 */
final class AvroRecords {
    private AvroRecords() {}

    /**
     * camelCase component name to snake_case Avro field name; a single trailing digit is a suffix of its own
     * ({@code prompt2} is {@code prompt_2}, as diffusers names SDXL's second prompt) while {@code sha256} stays.
     */
    static String fieldName(String componentName) {
        StringBuilder out = new StringBuilder();
        int last = componentName.length() - 1;
        for (int i = 0; i <= last; i++) {
            char c = componentName.charAt(i);
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else if (i == last && i > 0 && Character.isDigit(c) && Character.isLetter(componentName.charAt(i - 1))) {
                out.append('_').append(c);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static GenericRecord toGeneric(Record record) {
        Schema schema = Schemas.of(record.getClass());
        GenericRecord generic = new GenericData.Record(schema);
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            Schema.Field field = field(schema, component);
            generic.put(field.pos(), toAvro(invoke(component, record), field.schema()));
        }
        return generic;
    }

    static <R extends Record> R fromGeneric(GenericRecord generic, Class<R> type) {
        Schema schema = Schemas.of(type);
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            Schema.Field field = field(schema, components[i]);
            types[i] = components[i].getType();
            args[i] = toJava(generic.get(field.pos()), field.schema(), types[i]);
        }
        try {
            Constructor<R> constructor = type.getDeclaredConstructor(types);
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("invalid " + type.getSimpleName() + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A Java value ({@code Instant}, enum, {@code byte[]}, map, boxed primitive, String) as Avro's generic value. */
    static Object toAvro(Object value, Schema schema) {
        if (value == null) {
            return null;
        }
        Schema type = nonNull(schema);
        return switch (type.getType()) {
            case LONG -> value instanceof Instant instant ? instant.toEpochMilli() : value;
            case ENUM -> new GenericData.EnumSymbol(type, ((Enum<?>) value).name());
            case BYTES -> ByteBuffer.wrap((byte[]) value);
            case MAP -> {
                Map<String, Object> map = new LinkedHashMap<>();
                ((Map<?, ?>) value).forEach((k, v) -> map.put(k.toString(), toAvro(v, type.getValueType())));
                yield map;
            }
            default -> value;
        };
    }

    /**
     * An Avro generic value as a plain Java value: {@code Utf8} to String, maps to {@code LinkedHashMap}, bytes to
     * {@code byte[]}, timestamp-millis to {@code Instant}; enums to {@code target} when it is an enum class, else to
     * their symbol name.
     */
    static Object toJava(Object value, Schema schema, Class<?> target) {
        if (value == null) {
            return null;
        }
        Schema type = nonNull(schema);
        return switch (type.getType()) {
            case STRING -> value.toString();
            case ENUM -> target.isEnum() ? enumConstant(target, value.toString()) : value.toString();
            case LONG -> type.getLogicalType() instanceof LogicalTypes.TimestampMillis
                    ? Instant.ofEpochMilli((Long) value) : value;
            case BYTES -> bytes((ByteBuffer) value);
            case MAP -> {
                Map<String, Object> map = new LinkedHashMap<>();
                ((Map<?, ?>) value).forEach((k, v) ->
                        map.put(k.toString(), toJava(v, type.getValueType(), Object.class)));
                yield map;
            }
            default -> value;
        };
    }

    /** The buffer's remaining bytes, leaving its position alone. */
    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    /** The non-null branch of an optional ({@code ["null", X]}) schema, or the schema itself. */
    static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        return schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst().orElseThrow();
    }

    static boolean isOptional(Schema schema) {
        return schema.getType() == Schema.Type.UNION && schema.getTypes().stream()
                .anyMatch(s -> s.getType() == Schema.Type.NULL);
    }

    private static Schema.Field field(Schema schema, RecordComponent component) {
        Schema.Field field = schema.getField(fieldName(component.getName()));
        if (field == null) {
            throw new IllegalStateException(schema.getName() + " has no field for component " + component.getName());
        }
        return field;
    }

    private static Object invoke(RecordComponent component, Record record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumConstant(Class<?> type, String name) {
        return Enum.valueOf((Class<Enum>) type, name);
    }
}
