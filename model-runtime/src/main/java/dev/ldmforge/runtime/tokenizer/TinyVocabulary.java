package dev.ldmforge.runtime.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The byte-level BPE vocabulary of the project's built-in tiny model, generated (never shipped): CLIP's layout (the
 * 256 byte characters, their {@code </w>} forms, one token per merge, then {@code <|startoftext|>} and
 * {@code <|endoftext|>}) with merges learned from a built-in list of common English words ({@code tiny-words.txt}).
 * Training merges the most frequent adjacent pair (ties: the alphabetically first) until every word is one token,
 * so the result is the same on every run and machine.
 */
public final class TinyVocabulary {
    private static final String WORD_LIST = "tiny-words.txt";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Integer> vocab;
    private final List<String[]> merges;

    private TinyVocabulary(Map<String, Integer> vocab, List<String[]> merges) {
        this.vocab = Collections.unmodifiableMap(vocab);
        this.merges = Collections.unmodifiableList(merges);
    }

    public static TinyVocabulary generate() {
        List<List<String>> words = new ArrayList<>();
        for (String text : wordList()) {
            String word = ByteLevel.encode(text);
            List<String> symbols = new ArrayList<>();
            for (int i = 0; i < word.length(); i++) {
                symbols.add(i == word.length() - 1 ? word.charAt(i) + BytePairEncoding.END_OF_WORD
                        : String.valueOf(word.charAt(i)));
            }
            words.add(symbols);
        }
        List<String[]> merges = new ArrayList<>();
        for (String[] best = mostFrequentPair(words); best != null; best = mostFrequentPair(words)) {
            merges.add(best);
            for (List<String> symbols : words) {
                mergePair(symbols, best[0], best[1]);
            }
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        String bytes = ByteLevel.vocabularyOrder();
        for (String suffix : new String[] {"", BytePairEncoding.END_OF_WORD}) {
            for (int i = 0; i < bytes.length(); i++) {
                vocab.put(bytes.charAt(i) + suffix, vocab.size());
            }
        }
        for (String[] merge : merges) {
            vocab.putIfAbsent(merge[0] + merge[1], vocab.size());
        }
        vocab.put(TokenizerConfig.CLIP_DEFAULTS.bosToken(), vocab.size());
        vocab.put(TokenizerConfig.CLIP_DEFAULTS.eosToken(), vocab.size());
        return new TinyVocabulary(vocab, merges);
    }

    public int size() {
        return vocab.size();
    }

    /** The tokenizer, without going through files (CLIP's special tokens, 77 positions). */
    public ClipTokenizer tokenizer() {
        return new ClipTokenizer(vocab, merges, TokenizerConfig.CLIP_DEFAULTS, "built-in tiny vocabulary");
    }

    /** Writes a Hugging Face tokenizer folder: vocab.json, merges.txt, tokenizer_config.json, special_tokens_map.json. */
    public void writeTo(Path dir) {
        TokenizerConfig c = TokenizerConfig.CLIP_DEFAULTS;
        Map<String, Object> special = new LinkedHashMap<>();
        special.put("bos_token", c.bosToken());
        special.put("eos_token", c.eosToken());
        special.put("pad_token", c.padToken());
        special.put("unk_token", c.unkToken());
        Map<String, Object> config = new LinkedHashMap<>(special);
        config.put("do_lower_case", true);
        config.put("model_max_length", c.modelMaxLength());
        config.put("tokenizer_class", "CLIPTokenizer");
        StringBuilder mergesText = new StringBuilder("#version: 0.2\n");
        for (String[] merge : merges) {
            mergesText.append(merge[0]).append(' ').append(merge[1]).append('\n');
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("vocab.json"), json(vocab));
            Files.writeString(dir.resolve("merges.txt"), mergesText);
            Files.writeString(dir.resolve("tokenizer_config.json"), json(config));
            Files.writeString(dir.resolve("special_tokens_map.json"), json(special));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tiny tokenizer to " + dir, e);
        }
    }

    private static String[] mostFrequentPair(List<List<String>> words) {
        Map<String, Integer> counts = new HashMap<>();
        for (List<String> symbols : words) {
            for (int i = 0; i + 1 < symbols.size(); i++) {
                counts.merge(symbols.get(i) + ' ' + symbols.get(i + 1), 1, Integer::sum);
            }
        }
        String best = null;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            int order = best == null ? 1 : Integer.compare(e.getValue(), counts.get(best));
            if (order > 0 || order == 0 && e.getKey().compareTo(best) < 0) {
                best = e.getKey();
            }
        }
        return best == null ? null : best.split(" ");
    }

    private static void mergePair(List<String> symbols, String first, String second) {
        for (int i = 0; i + 1 < symbols.size(); i++) {
            if (symbols.get(i).equals(first) && symbols.get(i + 1).equals(second)) {
                symbols.set(i, first + second);
                symbols.remove(i + 1);
            }
        }
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

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
