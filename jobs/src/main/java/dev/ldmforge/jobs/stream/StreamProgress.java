package dev.ldmforge.jobs.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.Map;

/**
 * Prints per micro-batch: consumer lag (offsets between what the batch read up to and the latest offsets Spark saw
 * on the topic), the batch's duration and Spark's input rate. {@link MicroBatch} prints images and images/s.
 */
final class StreamProgress extends StreamingQueryListener {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PrintStream out;

    StreamProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onQueryProgress(QueryProgressEvent event) {
        StreamingQueryProgress p = event.progress();
        long lag = 0;
        for (SourceProgress source : p.sources()) {
            lag += lag(source.endOffset(), source.latestOffset());
        }
        Map<String, Long> durations = p.durationMs();
        out.printf("stream: batch %d progress: %d messages, batch %.1f s (processing %.1f s), lag %d offsets%n",
                p.batchId(), p.numInputRows(), durations.getOrDefault("triggerExecution", 0L) / 1000.0,
                durations.getOrDefault("addBatch", 0L) / 1000.0, lag);
    }

    /** Sum over partitions of latest − end, from the Kafka source's {"topic":{"partition":offset}} JSON. */
    static long lag(String endOffset, String latestOffset) {
        if (endOffset == null || latestOffset == null) {
            return 0;
        }
        try {
            JsonNode end = JSON.readTree(endOffset);
            JsonNode latest = JSON.readTree(latestOffset);
            long lag = 0;
            for (Iterator<Map.Entry<String, JsonNode>> topics = latest.fields(); topics.hasNext(); ) {
                Map.Entry<String, JsonNode> topic = topics.next();
                for (Iterator<Map.Entry<String, JsonNode>> parts = topic.getValue().fields(); parts.hasNext(); ) {
                    Map.Entry<String, JsonNode> part = parts.next();
                    long read = end.path(topic.getKey()).path(part.getKey()).asLong(0);
                    lag += Math.max(0, part.getValue().asLong() - read);
                }
            }
            return lag;
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void onQueryStarted(QueryStartedEvent event) {
    }

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {
    }
}
