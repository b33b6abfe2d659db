package dev.ldmforge.runtime.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIP's BPE on one pre-tokenised word: start from its byte characters with {@code </w>} on the last one, then
 * repeatedly merge every occurrence of the adjacent pair with the lowest merge rank. Results are cached per word.
 */
final class BytePairEncoding {
    static final String END_OF_WORD = "</w>";

    /** Bounds the cache of a long-running process; prompts reuse a few thousand words at most. */
    private static final int CACHE_LIMIT = 100_000;

    private final Map<String, Integer> ranks;
    private final Map<String, String[]> cache = new ConcurrentHashMap<>();
    private final List<String> unmerged;

    /**
     * @param merges    the merge pairs in rank order
     * @param unmerged  words passed through whole, without {@code </w>} (CLIP's start/end tokens)
     */
    BytePairEncoding(List<String[]> merges, List<String> unmerged) {
        this.ranks = new HashMap<>(merges.size() * 2);
        for (int i = 0; i < merges.size(); i++) {
            ranks.put(pairKey(merges.get(i)[0], merges.get(i)[1]), i); // a repeated pair keeps its last rank, as in transformers
        }
        this.unmerged = List.copyOf(unmerged);
    }

    /** The BPE tokens of one word given as byte-level characters (see {@link ByteLevel}). */
    String[] apply(String word) {
        if (unmerged.contains(word)) {
            return new String[] {word};
        }
        String[] cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        String[] result = merge(word);
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(word, result);
        return result;
    }

    private String[] merge(String word) {
        List<String> symbols = new ArrayList<>(word.length());
        for (int i = 0; i < word.length() - 1; i++) {
            symbols.add(String.valueOf(word.charAt(i)));
        }
        symbols.add(word.charAt(word.length() - 1) + END_OF_WORD);
        while (symbols.size() > 1) {
            int best = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer rank = ranks.get(pairKey(symbols.get(i), symbols.get(i + 1)));
                if (rank != null && rank < best) {
                    best = rank;
                    first = symbols.get(i);
                    second = symbols.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            List<String> merged = new ArrayList<>(symbols.size());
            for (int i = 0; i < symbols.size(); i++) {
                if (i + 1 < symbols.size() && symbols.get(i).equals(first) && symbols.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i++;
                } else {
                    merged.add(symbols.get(i));
                }
            }
            symbols = merged;
        }
        return symbols.toArray(String[]::new);
    }

    /** Byte-level symbols never contain a space, so "first second" identifies a pair. */
    private static String pairKey(String first, String second) {
        return first + ' ' + second;
    }
}
