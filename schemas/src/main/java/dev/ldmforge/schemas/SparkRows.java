package dev.ldmforge.schemas;

import java.nio.ByteBuffer;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The records as Spark rows of the {@link SparkSchemas} types, and Spark rows as the validator's generic field map.
 * Timestamps are {@code java.sql.Timestamp} (Spark's default external type; {@code Instant} is read too), maps Scala
 * maps, enums their symbol.
 */
public final class SparkRows {
    private SparkRows() {}

    public static Row toRow(Record record) {
        Schema schema = Schemas.of(record.getClass());
        GenericRecord generic = AvroRecords.toGeneric(record);
        Object[] values = new Object[schema.getFields().size()];
        for (Schema.Field field : schema.getFields()) {
            values[field.pos()] = toSpark(generic.get(field.pos()), field.schema());
        }
        return RowFactory.create(values);
    }

    /** A row with (at least) the record's columns, by name. */
    public static <R extends Record> R fromRow(Row row, Class<R> type) {
        Schema schema = Schemas.of(type);
        GenericRecord generic = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            generic.put(field.pos(), toAvro(row.get(row.fieldIndex(field.name())), field.schema()));
        }
        return AvroRecords.fromGeneric(generic, type);
    }

    /** Column name to value for {@link PromptValidator}, whatever the row's schema (Parquet, CSV, JSON); nested maps
     *  and structs become Java maps. */
    public static Map<String, Object> fields(Row row) {
        StructType schema = row.schema();
        if (schema == null) {
            throw new IllegalArgumentException("row has no schema: " + row);
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        String[] names = schema.fieldNames();
        for (int i = 0; i < names.length; i++) {
            Object value = row.get(i);
            // A JSON object read by spark.read().json() without a schema is a struct, not a map.
            fields.put(names[i], value instanceof scala.collection.Map<?, ?> map ? CollectionConverters.asJava(map)
                    : value instanceof Row struct && struct.schema() != null ? fields(struct)
                    : value);
        }
        return fields;
    }

    private static Object toSpark(Object value, Schema schema) {
        if (value == null) {
            return null;
        }
        Schema type = AvroRecords.nonNull(schema);
        return switch (type.getType()) {
            case STRING, ENUM -> value.toString();
            case LONG -> isTimestamp(type) ? new Timestamp((Long) value) : value;
            case BYTES -> AvroRecords.bytes((ByteBuffer) value);
            case MAP -> {
                Map<String, Object> map = new LinkedHashMap<>();
                ((Map<?, ?>) value).forEach((k, v) -> map.put(k.toString(), toSpark(v, type.getValueType())));
                yield CollectionConverters.asScala(map);
            }
            default -> value;
        };
    }

    private static Object toAvro(Object value, Schema schema) {
        if (value == null) {
            return null;
        }
        Schema type = AvroRecords.nonNull(schema);
        return switch (type.getType()) {
            case ENUM -> new GenericData.EnumSymbol(type, value.toString());
            case LONG -> !isTimestamp(type) ? value
                    : value instanceof Instant instant ? instant.toEpochMilli() : ((Timestamp) value).getTime();
            case BYTES -> ByteBuffer.wrap((byte[]) value);
            case MAP -> {
                Map<String, Object> map = new LinkedHashMap<>();
                CollectionConverters.asJava((scala.collection.Map<?, ?>) value)
                        .forEach((k, v) -> map.put(k.toString(), toAvro(v, type.getValueType())));
                yield map;
            }
            default -> value;
        };
    }

    private static boolean isTimestamp(Schema type) {
        return type.getLogicalType() instanceof LogicalTypes.TimestampMillis;
    }
}
