package dev.ldmforge.jobs.generate;

import dev.ldmforge.schemas.PromptRequest;
import dev.ldmforge.schemas.SparkRows;
import dev.ldmforge.schemas.SparkSchemas;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/**
 * A valid request with the images it still needs (indices not yet in the metadata) and where it came from, so a
 * failure during generation can still be dead-lettered with the original record and its source position.
 */
record PlannedRequest(PromptRequest request, List<Integer> pending, String original, String sourceFile,
                      Long sourceRow) {

    static final StructType SCHEMA = new StructType()
            .add("request", SparkSchemas.PROMPT_REQUEST, false)
            .add("pending", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("original", DataTypes.StringType, true)
            .add("source_file", DataTypes.StringType, true)
            .add("source_row", DataTypes.LongType, true);

    static PlannedRequest fromRow(Row row) {
        PromptRequest request = SparkRows.fromRow(row.getStruct(row.fieldIndex("request")), PromptRequest.class);
        List<Integer> pending = new ArrayList<>(row.getList(row.fieldIndex("pending")));
        int sr = row.fieldIndex("source_row");
        return new PlannedRequest(request, pending, row.getString(row.fieldIndex("original")),
                row.getString(row.fieldIndex("source_file")), row.isNullAt(sr) ? null : row.getLong(sr));
    }

    Row toRow() {
        return RowFactory.create(SparkRows.toRow(request), scala.jdk.javaapi.CollectionConverters.asScala(pending)
                .toSeq(), original, sourceFile, sourceRow);
    }
}
