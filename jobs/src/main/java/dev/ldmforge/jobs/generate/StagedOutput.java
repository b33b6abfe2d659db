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

    public static final StructType SCHEMA = new StructType()
            .add("kind", DataTypes.StringType, false)
            .add(IMAGE, SparkSchemas.GENERATED_IMAGE, true)
            .add(DEAD, SparkSchemas.DEAD_LETTER, true);

    private StagedOutput() {
    }

    static Row image(GeneratedImage image) {
        return RowFactory.create(IMAGE, SparkRows.toRow(image), null);
    }

    static Row deadLetter(DeadLetter deadLetter) {
        return RowFactory.create(DEAD, null, SparkRows.toRow(deadLetter));
    }
}
