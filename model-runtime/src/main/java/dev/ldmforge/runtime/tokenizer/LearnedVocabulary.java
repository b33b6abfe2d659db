package dev.ldmforge.runtime.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE vocabulary learned from a word list, in CLIP's layout (the 256 byte characters, their
 * {@code </w>} forms, one token per merge, then {@code <|startoftext|>} and {@code <|endoftext|>}). Learning merges
 * the most frequent adjacent pair (ties: the alphabetically first) until every word is one token, so the result is
 * the same on every run and machine. The special tokens are CLIP's; the context length is the caller's.
 */
public final class LearnedVocabulary {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Integer> vocab;
    private final List<String[]> merges;
    private final TokenizerConfig config;

    private LearnedVocabulary(Map<String, Integer> vocab, List<String[]> merges, TokenizerConfig config) {
        this.vocab = Collections.unmodifiableMap(vocab);
        this.merges = Collections.unmodifiableList(merges);
        this.config = config;
    }

    /** @param words the lower-case words that must each become one token */
    public static LearnedVocabulary learn(List<String> words, int modelMaxLength) {
        List<List<String>> symbolsOfWords = new ArrayList<>();
        for (String text : words) {
            String word = ByteLevel.encode(text);
            List<String> symbols = new ArrayList<>();
            for (int i = 0; i < word.length(); i++) {
                symbols.add(i == word.length() - 1 ? word.charAt(i) + BytePairEncoding.END_OF_WORD
                        : String.valueOf(word.charAt(i)));
            }
            symbolsOfWords.add(symbols);
        }
        List<String[]> merges = new ArrayList<>();
        for (String[] best = mostFrequentPair(symbolsOfWords); best != null;
             best = mostFrequentPair(symbolsOfWords)) {
            merges.add(best);
            for (List<String> symbols : symbolsOfWords) {
                mergePair(symbols, best[0], best[1]);
            }
        }
        TokenizerConfig config = TokenizerConfig.CLIP_DEFAULTS.withModelMaxLength(modelMaxLength);
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
        vocab.put(config.bosToken(), vocab.size());
        vocab.put(config.eosToken(), vocab.size());
        return new LearnedVocabulary(vocab, merges, config);
    }

    public int size() {
        return vocab.size();
    }

    /** The tokenizer, without going through files. */
    public ClipTokenizer tokenizer(String source) {
        return new ClipTokenizer(vocab, merges, config, source);
    }

    /** Writes a Hugging Face tokenizer folder: vocab.json, merges.txt, tokenizer_config.json, special_tokens_map.json. */
    public void writeTo(Path dir) {
        Map<String, Object> special = new LinkedHashMap<>();
        special.put("bos_token", config.bosToken());
        special.put("eos_token", config.eosToken());
        special.put("pad_token", config.padToken());
        special.put("unk_token", config.unkToken());
        Map<String, Object> tokenizerConfig = new LinkedHashMap<>(special);
        tokenizerConfig.put("do_lower_case", true);
        tokenizerConfig.put("model_max_length", config.modelMaxLength());
        tokenizerConfig.put("tokenizer_class", "CLIPTokenizer");
        StringBuilder mergesText = new StringBuilder("#version: 0.2\n");
        for (String[] merge : merges) {
            mergesText.append(merge[0]).append(' ').append(merge[1]).append('\n');
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("vocab.json"), json(vocab));
            Files.writeString(dir.resolve("merges.txt"), mergesText);
            Files.writeString(dir.resolve("tokenizer_config.json"), json(tokenizerConfig));
            Files.writeString(dir.resolve("special_tokens_map.json"), json(special));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a tokenizer to " + dir, e);
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

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
