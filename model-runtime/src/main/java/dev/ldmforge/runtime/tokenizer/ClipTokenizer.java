package dev.ldmforge.runtime.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ldmforge.runtime.config.ConfigException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * transformers' slow {@code CLIPTokenizer} without ftfy, from a tokenizer folder ({@code vocab.json},
 * {@code merges.txt}, {@code tokenizer_config.json}, {@code special_tokens_map.json}): special tokens are split out
 * first, the rest is cleaned ({@link BasicTokenizer}), cut into words by CLIP's pattern and byte-level BPE encoded.
 * Thread-safe.
 */
public final class ClipTokenizer {
    /** CLIP uses only the first 49152 - 256 - 2 merges of its merges file. */
    private static final int MAX_MERGES = 49152 - 256 - 2;
    private static final String START_OF_TEXT = "<|startoftext|>";
    private static final String END_OF_TEXT = "<|endoftext|>";
    private static final Pattern WORDS = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

    private final Map<String, Integer> vocab;
    private final BytePairEncoding bpe;
    private final TokenizerConfig config;
    private final List<String> specialTokens;
    private final int bosId;
    private final int eosId;
    private final int unkId;
    private final int padId;

    ClipTokenizer(Map<String, Integer> vocab, List<String[]> merges, TokenizerConfig config, String source) {
        this(Map.copyOf(vocab), new BytePairEncoding(merges, List.of(START_OF_TEXT, END_OF_TEXT)), config, source);
    }

    private ClipTokenizer(Map<String, Integer> vocab, BytePairEncoding bpe, TokenizerConfig config, String source) {
        this.vocab = vocab;
        this.bpe = bpe;
        this.config = config;
        this.specialTokens = List.copyOf(new LinkedHashSet<>(
                List.of(config.bosToken(), config.eosToken(), config.unkToken(), config.padToken())));
        this.bosId = idOf(config.bosToken(), "bos_token", source);
        this.eosId = idOf(config.eosToken(), "eos_token", source);
        this.unkId = idOf(config.unkToken(), "unk_token", source);
        this.padId = idOf(config.padToken(), "pad_token", source);
    }

    /** Loads a tokenizer folder, e.g. the {@code tokenizer/} of a diffusers model. */
    public static ClipTokenizer load(Path dir) {
        return load(dir, TokenizerConfig.read(dir));
    }

    /** Loads a tokenizer folder's vocabulary and merges with the special tokens of {@code config}. */
    public static ClipTokenizer load(Path dir, TokenizerConfig config) {
        Path added = dir.resolve("added_tokens.json");
        if (Files.isRegularFile(added) && !readString(added).strip().equals("{}")) {
            throw new ConfigException(added + ": added tokens (e.g. textual inversion) are not supported");
        }
        return new ClipTokenizer(readVocab(dir.resolve("vocab.json")), readMerges(dir.resolve("merges.txt")),
                config, dir.toString());
    }

    /**
     * The same vocabulary and merges with another pad token, e.g. SDXL's tokenizer_2 ("!") built from the CLIP
     * tokenizer as diffusers' single-file loader does. The pad token then splits out of prompts like any special
     * token.
     */
    public ClipTokenizer withPadToken(String padToken) {
        TokenizerConfig c = new TokenizerConfig(config.bosToken(), config.eosToken(), config.unkToken(), padToken,
                config.modelMaxLength());
        return new ClipTokenizer(vocab, bpe, c, "pad token " + padToken);
    }

    public TokenizerConfig config() {
        return config;
    }

    public int modelMaxLength() {
        return config.modelMaxLength();
    }

    public int bosTokenId() {
        return bosId;
    }

    public int eosTokenId() {
        return eosId;
    }

    public int padTokenId() {
        return padId;
    }

    public int vocabularySize() {
        return vocab.size();
    }

    /** The untruncated encoding with token strings: start token, the prompt's tokens, end token. */
    public Tokenization tokenize(String prompt) {
        List<String> tokens = new ArrayList<>();
        tokens.add(config.bosToken());
        splitOnSpecialTokens(prompt, tokens);
        tokens.add(config.eosToken());
        long[] ids = new long[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = vocab.getOrDefault(tokens.get(i), unkId);
        }
        return new Tokenization(ids, List.copyOf(tokens), ids.length > modelMaxLength());
    }

    /**
     * The ids as {@code tokenizer(prompt, padding="max_length", max_length=model_max_length, truncation=True)}
     * gives them: too long prompts keep their first tokens and the end token, short ones are padded.
     */
    public PaddedEncoding encode(String prompt) {
        long[] full = tokenize(prompt).inputIds();
        int length = modelMaxLength();
        long[] ids = new long[length];
        long[] mask = new long[length];
        int used = Math.min(full.length, length);
        System.arraycopy(full, 0, ids, 0, used - 1);
        ids[used - 1] = eosId;
        Arrays.fill(ids, used, length, padId);
        Arrays.fill(mask, 0, used, 1L);
        return new PaddedEncoding(ids, mask);
    }

    /** Special tokens in the text stay whole (leftmost, longest first), as transformers' added-token trie does. */
    private void splitOnSpecialTokens(String text, List<String> out) {
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            String special = null;
            for (String s : specialTokens) {
                if (text.startsWith(s, i) && (special == null || s.length() > special.length())) {
                    special = s;
                }
            }
            if (special == null) {
                i++;
                continue;
            }
            encodeText(text.substring(start, i), out);
            out.add(special);
            i += special.length();
            start = i;
        }
        encodeText(text.substring(start), out);
    }

    private void encodeText(String text, List<String> out) {
        Matcher words = WORDS.matcher(BasicTokenizer.clean(text));
        while (words.find()) {
            out.addAll(Arrays.asList(bpe.apply(ByteLevel.encode(words.group()))));
        }
    }

    private int idOf(String token, String field, String source) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new ConfigException(source + ": " + field + " " + token + " is not in vocab.json");
        }
        return id;
    }

    private static Map<String, Integer> readVocab(Path file) {
        Map<String, Integer> vocab = new HashMap<>(65536);
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ConfigException(file + ": expected a JSON object of token -> id");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String token = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                    throw new ConfigException(file + ": id of token " + token + " is not an integer");
                }
                vocab.put(token, p.getIntValue());
            }
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read vocabulary: " + e.getMessage());
        }
        return vocab;
    }

    /** Like transformers: the first line ({@code #version: 0.2}) is skipped, then at most 48894 merges are used. */
    private static List<String[]> readMerges(Path file) {
        List<String[]> merges = new ArrayList<>(MAX_MERGES);
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = in.readLine();
            int lineNo = 1;
            while ((line = in.readLine()) != null && merges.size() < MAX_MERGES) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String pair = line.strip();
                int space = pair.indexOf(' ');
                if (space < 1 || pair.indexOf(' ', space + 1) >= 0) {
                    throw new ConfigException(file + ": line " + lineNo + " is not a merge pair: " + line);
                }
                merges.add(new String[] {pair.substring(0, space), pair.substring(space + 1)});
            }
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read merges: " + e.getMessage());
        }
        return merges;
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }
}
