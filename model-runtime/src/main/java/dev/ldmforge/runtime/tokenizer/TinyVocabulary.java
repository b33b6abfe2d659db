package dev.ldmforge.runtime.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The vocabulary of the project's built-in tiny model, generated (never shipped): a {@link LearnedVocabulary} of a
 * built-in list of common English words ({@code tiny-words.txt}) with CLIP's 77 positions.
 */
public final class TinyVocabulary {
    private static final String WORD_LIST = "tiny-words.txt";

    private final LearnedVocabulary learned;

    private TinyVocabulary(LearnedVocabulary learned) {
        this.learned = learned;
    }

    public static TinyVocabulary generate() {
        return new TinyVocabulary(LearnedVocabulary.learn(wordList(),
                TokenizerConfig.CLIP_DEFAULTS.modelMaxLength()));
    }

    public int size() {
        return learned.size();
    }

    /** The tokenizer, without going through files (CLIP's special tokens, 77 positions). */
    public ClipTokenizer tokenizer() {
        return learned.tokenizer("built-in tiny vocabulary");
    }

    /** Writes a Hugging Face tokenizer folder: vocab.json, merges.txt, tokenizer_config.json, special_tokens_map.json. */
    public void writeTo(Path dir) {
        learned.writeTo(dir);
    }

    private static List<String> wordList() {
        try (InputStream in = TinyVocabulary.class.getResourceAsStream(WORD_LIST)) {
            if (in == null) {
                throw new IllegalStateException("built-in word list " + WORD_LIST + " is missing from the classpath");
            }
            LinkedHashSet<String> words = new LinkedHashSet<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String word = line.strip();
                if (!word.isEmpty() && !word.startsWith("#")) {
                    words.add(word);
                }
            }
            return new ArrayList<>(words);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in word list " + WORD_LIST, e);
        }
    }
}
