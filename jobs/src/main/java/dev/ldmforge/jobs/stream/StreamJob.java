package dev.ldmforge.jobs.stream;

import dev.ldmforge.jobs.generate.JobOptions;
import dev.ldmforge.jobs.generate.OutputLayout;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;

import java.io.PrintStream;
import java.util.concurrent.TimeoutException;

/**
 * The streaming job: Kafka prompts in, one {@link MicroBatch} per trigger, until stopped or, with
 * {@code availableNow}, until the backlog present at start is processed.
 */
public final class StreamJob {
    private final SparkSession spark;
    private final JobOptions job;
    private final StreamOptions options;
    private final PrintStream out;

    public StreamJob(SparkSession spark, JobOptions job, StreamOptions options, PrintStream out) {
        this.spark = spark;
        this.job = job;
        this.options = options;
        this.out = out;
    }

    /**
     * Returns when the query ends: drained ({@code availableNow}) or stopped (SIGTERM).
     *
     * @throws StreamingQueryException when a micro-batch failed; a restart on the same checkpoint replays it
     */
    public void run() throws StreamingQueryException, TimeoutException {
        DataStreamReader reader = spark.readStream().format("kafka")
                .option("kafka.bootstrap.servers", options.bootstrapServers())
                .option("subscribe", options.topic())
                .option("startingOffsets", options.startingOffsets())
                .option("maxOffsetsPerTrigger", options.maxOffsetsPerTrigger());
        options.kafkaOptions().forEach((k, v) -> reader.option("kafka." + k, v));
        GracefulStop stop = new GracefulStop(out);
        MicroBatch batch = new MicroBatch(spark, job, options, stop, out);
        StreamProgress progress = new StreamProgress(out);
        spark.streams().addListener(progress);
        try {
            StreamingQuery query = reader.load().writeStream()
                    .option("checkpointLocation", OutputLayout.of(options.checkpoint()).hadoopRoot())
                    .trigger(options.availableNow() ? Trigger.AvailableNow()
                            : Trigger.ProcessingTime(options.triggerInterval()))
                    .foreachBatch(batch)
                    .start();
            stop.install(query);
            out.printf("stream: query %s reading topic %s at %s%s; output %s%n", query.id(), options.topic(),
                    options.bootstrapServers(), options.availableNow() ? " until the backlog is processed"
                            : " every " + options.triggerInterval() + " (SIGTERM or Ctrl-C stops it cleanly)",
                    OutputLayout.of(job.output()).root());
            query.awaitTermination();
        } finally {
            stop.uninstall();
            spark.streams().removeListener(progress);
            batch.close();
        }
    }
}
