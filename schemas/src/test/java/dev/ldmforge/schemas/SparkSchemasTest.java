package dev.ldmforge.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The StructTypes agree with the Avro schemas: names, order, types, nullability. */
class SparkSchemasTest {

    @Test
    void promptRequest() {
        assertEquals("request_id STRING,prompt STRING NOT NULL,negative_prompt STRING,num_inference_steps INT,"
                + "guidance_scale DOUBLE,width INT,height INT,seed BIGINT,num_images_per_prompt INT,scheduler STRING,"
                + "model STRING,strength DOUBLE,init_image_uri STRING,metadata MAP<STRING, STRING> NOT NULL,"
                + "prompt_2 STRING,negative_prompt_2 STRING,timestep_spacing STRING,use_karras_sigmas BOOLEAN",
                SparkSchemas.PROMPT_REQUEST.toDDL());
    }

    @Test
    void generatedImage() {
        assertEquals("request_id STRING NOT NULL,image_index INT NOT NULL,image_uri STRING NOT NULL,"
                + "sha256 STRING NOT NULL,width INT NOT NULL,height INT NOT NULL,seed BIGINT NOT NULL,"
                + "prompt STRING NOT NULL,negative_prompt STRING,num_inference_steps INT NOT NULL,"
                + "guidance_scale DOUBLE NOT NULL,scheduler STRING NOT NULL,strength DOUBLE,init_image_uri STRING,"
                + "model_id STRING NOT NULL,model_hash STRING NOT NULL,text_encode_ms BIGINT NOT NULL,"
                + "denoise_ms BIGINT NOT NULL,decode_ms BIGINT NOT NULL,encode_ms BIGINT NOT NULL,"
                + "upload_ms BIGINT NOT NULL,host STRING NOT NULL,executor_id STRING NOT NULL,device STRING NOT NULL,"
                + "dtype STRING NOT NULL,task_attempt INT NOT NULL,created_at TIMESTAMP NOT NULL,"
                + "status STRING NOT NULL,metadata MAP<STRING, STRING> NOT NULL,prompt_2 STRING,"
                + "negative_prompt_2 STRING,timestep_spacing STRING,use_karras_sigmas BOOLEAN,model_revision STRING",
                SparkSchemas.GENERATED_IMAGE.toDDL());
    }

    @Test
    void deadLetter() {
        assertEquals("request_id STRING,error_code STRING NOT NULL,error_message STRING NOT NULL,original STRING,"
                + "original_bytes BINARY,source_file STRING,source_row BIGINT,topic STRING,partition INT,"
                + "offset BIGINT,failed_at TIMESTAMP NOT NULL", SparkSchemas.DEAD_LETTER.toDDL());
    }

    @Test
    void everyFieldFollowsItsAvroField() {
        for (Schema schema : new Schema[] {Schemas.PROMPT_REQUEST, Schemas.GENERATED_IMAGE, Schemas.DEAD_LETTER}) {
            StructType struct = SparkSchemas.structType(schema);
            assertEquals(schema.getFields().size(), struct.fields().length);
            for (Schema.Field field : schema.getFields()) {
                StructField column = struct.fields()[field.pos()];
                assertEquals(field.name(), column.name());
                assertEquals(AvroRecords.isOptional(field.schema()), column.nullable(), field.name());
            }
        }
    }

    @Test
    void nestedTypesAndUnsupportedUnions() {
        Schema nested = SchemaBuilder.record("Outer").fields()
                .name("tags").type().array().items().stringType().noDefault()
                .name("inner").type().record("Inner").fields().optionalFloat("f").requiredBoolean("b").endRecord()
                .noDefault()
                .endRecord();
        assertEquals(DataTypes.createStructType(new StructField[] {
                DataTypes.createStructField("tags", DataTypes.createArrayType(DataTypes.StringType, false), false),
                DataTypes.createStructField("inner", DataTypes.createStructType(new StructField[] {
                        DataTypes.createStructField("f", DataTypes.FloatType, true),
                        DataTypes.createStructField("b", DataTypes.BooleanType, false)}), false)}),
                SparkSchemas.structType(nested));
        Schema union = SchemaBuilder.record("U").fields().name("x").type().unionOf().nullType().and().intType()
                .and().stringType().endUnion().nullDefault().endRecord();
        assertThrows(IllegalArgumentException.class, () -> SparkSchemas.structType(union));
    }
}
