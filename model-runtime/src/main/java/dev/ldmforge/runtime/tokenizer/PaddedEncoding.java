package dev.ldmforge.runtime.tokenizer;

/**
 * The text encoder's input for one prompt: ids truncated (start, the first tokens, end) and padded to the model
 * length, and the attention mask (1 for real tokens, 0 for padding).
 */
public record PaddedEncoding(long[] inputIds, long[] attentionMask) {
}
