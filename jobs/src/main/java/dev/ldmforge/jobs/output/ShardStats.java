package dev.ldmforge.jobs.output;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code shards/{shard:05d}_stats.json}, img2dataset's per-shard statistics: how many samples the plan gave the
 * shard, how many are in its tar, the failures by code, and each failure (request id, image index, code, message),
 * so a rerun that finds the shard complete reports the same dead letters without regenerating anything.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"shard", "count", "successes", "failed_to_generate", "image_format", "image_bytes",
        "failures_by_code", "failures"})
public record ShardStats(int shard, int count, int successes, int failedToGenerate, String imageFormat,
                         long imageBytes, Map<String, Integer> failuresByCode, List<Failure> failures) {
    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    public ShardStats {
        failuresByCode = new TreeMap<>(failuresByCode);
        failures = List.copyOf(failures);
    }

    /** One image the shard does not hold, and why. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Failure(String requestId, int imageIndex, String errorCode, String errorMessage) {
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write shard stats", e);
        }
    }

    public static ShardStats fromJson(byte[] json) {
        try {
            return JSON.readValue(json, ShardStats.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable shard stats: " + e.getMessage(), e);
        }
    }
}
