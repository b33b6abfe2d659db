package dev.ldmforge.runtime.tokenizer;

import java.util.List;

/**
 * A prompt's full encoding, start and end tokens included, before truncation; {@code truncated} tells whether
 * {@link ClipTokenizer#encode} has to cut it to the model's length. This is what {@code tokenize --json} prints.
 */
public record Tokenization(long[] inputIds, List<String> tokens, boolean truncated) {
}
