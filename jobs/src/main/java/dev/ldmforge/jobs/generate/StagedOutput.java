package dev.ldmforge.jobs.generate;

import dev.ldmforge.schemas.DeadLetter;
import dev.ldmforge.schemas.GeneratedImage;
import dev.ldmforge.schemas.SparkRows;
import dev.ldmforge.schemas.SparkSchemas;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One output of the generation stage: a metadata row or a dead letter. The stage writes both kinds to one staging
 * table through Spark's commit protocol (so a retried or speculative task contributes exactly one set of rows); the
 * driver then appends them to {@code metadata/} and {@code dead-letter/}.
 */
public final class StagedOutput {
    public static final String IMAGE = "image";
    public static final String DEAD = "dead_letter";
    /** The encoded image, for formats that keep images out of the object store's loose files (parquet, webdataset). */
    public static final String BYTES = "image_bytes";

    public static final StructType SCHEMA = new StructType()
            .add("kind", DataTypes.StringType, false)
            .add(IMAGE, SparkSchemas.GENERATED_IMAGE, true)
            .add(DEAD, SparkSchemas.DEAD_LETTER, true)
            .add(BYTES, DataTypes.BinaryType, true);

    private StagedOutput() {
    }

    static Row image(GeneratedImage image) {
        return image(image, null);
    }

    static Row image(GeneratedImage image, byte[] bytes) {
        return RowFactory.create(IMAGE, SparkRows.toRow(image), null, bytes);
    }

    static Row deadLetter(DeadLetter deadLetter) {
        return RowFactory.create(DEAD, null, SparkRows.toRow(deadLetter), null);
    }
}
