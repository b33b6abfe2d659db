package dev.ldmforge.schemas;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * Java view of {@code DeadLetter.avsc}: an input record that produced no image. The source is either
 * {@code sourceFile} + {@code sourceRow} (batch) or {@code topic} + {@code partition} + {@code offset} (streaming).
 * See {@link PromptRequest} for why this is a hand-written record checked against the schema.
 */
public record DeadLetter(
        String requestId,
        ErrorCode errorCode,
        String errorMessage,
        String original,
        byte[] originalBytes,
        String sourceFile,
        Long sourceRow,
        String topic,
        Integer partition,
        Long offset,
        Instant failedAt) {

    // byte[] compares by identity; a dead letter is a value, so compare its bytes.
    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetter d
                && Objects.equals(requestId, d.requestId) && errorCode == d.errorCode
                && Objects.equals(errorMessage, d.errorMessage) && Objects.equals(original, d.original)
                && Arrays.equals(originalBytes, d.originalBytes) && Objects.equals(sourceFile, d.sourceFile)
                && Objects.equals(sourceRow, d.sourceRow) && Objects.equals(topic, d.topic)
                && Objects.equals(partition, d.partition) && Objects.equals(offset, d.offset)
                && Objects.equals(failedAt, d.failedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requestId, errorCode, errorMessage, original, Arrays.hashCode(originalBytes), sourceFile,
                sourceRow, topic, partition, offset, failedAt);
    }

    @Override
    public String toString() {
        return "DeadLetter[requestId=" + requestId + ", errorCode=" + errorCode + ", errorMessage=" + errorMessage
                + ", original=" + original + ", originalBytes=" + Arrays.toString(originalBytes)
                + ", sourceFile=" + sourceFile + ", sourceRow=" + sourceRow + ", topic=" + topic
                + ", partition=" + partition + ", offset=" + offset + ", failedAt=" + failedAt + "]";
    }
}
