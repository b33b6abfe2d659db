package dev.ldmforge.schemas;

import java.util.List;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Spark {@link StructType}s derived from the Avro schemas, so the columns are never written twice. Mapping: string and
 * enum to StringType, int/long/float/double/boolean to the same, bytes to BinaryType, timestamp-millis to
 * TimestampType, map to MapType (string keys), array to ArrayType, record to StructType; {@code ["null", X]} is a
 * nullable X, every other type is non-nullable.
 */
public final class SparkSchemas {
    public static final StructType PROMPT_REQUEST = structType(Schemas.PROMPT_REQUEST);
    public static final StructType GENERATED_IMAGE = structType(Schemas.GENERATED_IMAGE);
    public static final StructType DEAD_LETTER = structType(Schemas.DEAD_LETTER);

    private SparkSchemas() {}

    public static StructType structType(Schema record) {
        if (record.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("not an Avro record: " + record);
        }
        List<StructField> fields = record.getFields().stream()
                .map(f -> DataTypes.createStructField(f.name(), dataType(f.schema()),
                        AvroRecords.isOptional(f.schema())))
                .toList();
        return DataTypes.createStructType(fields);
    }

    private static DataType dataType(Schema schema) {
        Schema type = AvroRecords.nonNull(schema);
        if (schema.getType() == Schema.Type.UNION && schema.getTypes().size() != 2) {
            throw new IllegalArgumentException("only [\"null\", X] unions map to Spark: " + schema);
        }
        return switch (type.getType()) {
            case STRING, ENUM -> DataTypes.StringType;
            case INT -> DataTypes.IntegerType;
            case LONG -> type.getLogicalType() instanceof LogicalTypes.TimestampMillis
                    ? DataTypes.TimestampType : DataTypes.LongType;
            case FLOAT -> DataTypes.FloatType;
            case DOUBLE -> DataTypes.DoubleType;
            case BOOLEAN -> DataTypes.BooleanType;
            case BYTES -> DataTypes.BinaryType;
            case MAP -> DataTypes.createMapType(DataTypes.StringType, dataType(type.getValueType()),
                    AvroRecords.isOptional(type.getValueType()));
            case ARRAY -> DataTypes.createArrayType(dataType(type.getElementType()),
                    AvroRecords.isOptional(type.getElementType()));
            case RECORD -> structType(type);
            default -> throw new IllegalArgumentException("no Spark type for Avro " + type);
        };
    }
}
