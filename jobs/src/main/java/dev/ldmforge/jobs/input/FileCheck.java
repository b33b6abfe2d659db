package dev.ldmforge.jobs.input;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * What a quick look at one file says, before Spark reads it: a file Spark could not read at all would fail the whole
 * job, so such a file becomes one {@code UNREADABLE_FILE} record instead. Parquet: the footer must parse (its schema
 * is kept: files are read in groups of one schema). Text: it must open (decompressing) and its first 64 KiB must be
 * UTF-8 without NUL bytes; invalid bytes further on only spoil their own lines.
 *
 * @param detail the Parquet schema when readable, the reason when unreadable
 */
record FileCheck(String file, Outcome outcome, String detail) implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int TEXT_HEAD_BYTES = 64 * 1024;

    enum Outcome { READABLE, EMPTY, UNREADABLE }

    /** Checks the files on the executors, in parallel. */
    static List<FileCheck> run(SparkSession spark, PromptFormat format, List<String> files) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<SerializableConfiguration> conf =
                sc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
        int slices = Math.max(1, Math.min(files.size(), sc.defaultParallelism()));
        try {
            return sc.parallelize(files, slices).map(file -> check(conf.value().value(), format, file)).collect();
        } finally {
            conf.destroy();
        }
    }

    static FileCheck check(Configuration conf, PromptFormat format, String file) {
        try {
            Path path = new Path(file);
            FileSystem fs = path.getFileSystem(conf);
            FileStatus status = fs.getFileStatus(path);
            if (status.getLen() == 0) {
                return new FileCheck(file, Outcome.EMPTY, "");
            }
            String problem = format.isText() ? textProblem(fs, path, conf) : null;
            if (problem != null) {
                return new FileCheck(file, Outcome.UNREADABLE, problem);
            }
            return new FileCheck(file, Outcome.READABLE, format.isText() ? "" : parquetSchema(status, conf));
        } catch (Exception e) { // anything that stops reading this file, and only this file
            return new FileCheck(file, Outcome.UNREADABLE, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static String parquetSchema(FileStatus status, Configuration conf) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(status, conf))) {
            return reader.getFooter().getFileMetaData().getSchema().toString();
        }
    }

    private static String textProblem(FileSystem fs, Path path, Configuration conf) throws IOException {
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
        byte[] head;
        try (InputStream raw = fs.open(path);
             InputStream in = codec == null ? raw : codec.createInputStream(raw)) {
            head = in.readNBytes(TEXT_HEAD_BYTES + 1);
        }
        boolean whole = head.length <= TEXT_HEAD_BYTES;
        int length = Math.min(head.length, TEXT_HEAD_BYTES);
        for (int i = 0; i < length; i++) {
            if (head[i] == 0) {
                return "not a text file: a NUL byte at offset " + i;
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        ByteBuffer bytes = ByteBuffer.wrap(head, 0, length);
        // Not the end of input when cut: a character split at the cut is not an error.
        CoderResult result = decoder.decode(bytes, CharBuffer.allocate(length), whole);
        return result.isError() ? "not UTF-8 text: invalid byte at offset " + bytes.position() : null;
    }
}
