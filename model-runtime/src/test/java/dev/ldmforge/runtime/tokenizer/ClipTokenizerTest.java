package dev.ldmforge.runtime.tokenizer;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.weights.SafetensorsFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipTokenizerTest {
    private static ClipTokenizer tokenizer;
    private static JsonNode tokenizerCase;

    @BeforeAll
    static void load() throws IOException {
        long start = System.nanoTime();
        tokenizer = ClipTokenizer.load(Fixtures.path("tokenizer"));
        System.out.printf("tokenizer loaded in %.0f ms%n", (System.nanoTime() - start) / 1e6);
        JsonNode refs = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(Fixtures.path("refs/tiny-sd-refs.json").toFile());
        for (JsonNode c : refs.get("cases")) {
            if (c.get("id").asText().equals("tokenizer")) {
                tokenizerCase = c;
            }
        }
    }

    @Test
    void loadsTheFullClipVocabulary() {
        assertEquals(49408, tokenizer.vocabularySize());
        assertEquals(77, tokenizer.modelMaxLength());
        assertEquals(49406, tokenizer.bosTokenId());
        assertEquals(49407, tokenizer.eosTokenId());
        assertEquals(49407, tokenizer.padTokenId());
    }

    @Test
    void photoOfACat() {
        assertArrayEquals(new long[] {49406, 320, 1125, 539, 320, 2368, 49407},
                tokenizer.tokenize("a photo of a cat").inputIds());
    }

    @Test
    void allFixturePromptsGiveTheExactIdsMasksAndTokens() {
        JsonNode prompts = tokenizerCase.get("prompts");
        assertEquals(15, prompts.size());
        long[][] expectedIds;
        long[][] expectedMask;
        try (NDManager manager = NDManager.newBaseManager();
             SafetensorsFile refs = SafetensorsFile.open(Fixtures.path("refs/tiny-sd-refs.safetensors"))) {
            expectedIds = rows(refs.load("tokenizer.input_ids", manager, DataType.INT64).toLongArray(), 77);
            expectedMask = rows(refs.load("tokenizer.attention_mask", manager, DataType.INT64).toLongArray(), 77);
        }
        for (int i = 0; i < prompts.size(); i++) {
            JsonNode p = prompts.get(i);
            String prompt = p.get("prompt").asText();
            PaddedEncoding encoded = tokenizer.encode(prompt);
            assertArrayEquals(expectedIds[i], encoded.inputIds(), "input_ids of " + prompt);
            assertArrayEquals(expectedMask[i], encoded.attentionMask(), "attention_mask of " + prompt);

            Tokenization full = tokenizer.tokenize(prompt);
            long[] untruncated = new long[p.get("ids_untruncated").size()];
            for (int j = 0; j < untruncated.length; j++) {
                untruncated[j] = p.get("ids_untruncated").get(j).asLong();
            }
            assertArrayEquals(untruncated, full.inputIds(), "untruncated ids of " + prompt);
            assertEquals(p.get("truncated").asBoolean(), full.truncated(), "truncated flag of " + prompt);
            List<String> expectedTokens = new ArrayList<>();
            p.get("tokens").forEach(t -> expectedTokens.add(t.asText()));
            // The fixture lists the tokens of the truncated encoding: compare the kept ones.
            List<String> tokens = full.tokens();
            List<String> kept = full.truncated()
                    ? concat(tokens.subList(0, 76), tokens.get(tokens.size() - 1)) : tokens;
            assertEquals(expectedTokens, kept, "tokens of " + prompt);
        }
    }

    @Test
    void sd2StylePadTokenFromAddedTokenObject(@TempDir Path dir) throws IOException {
        Path src = Fixtures.path("tokenizer");
        Files.copy(src.resolve("vocab.json"), dir.resolve("vocab.json"));
        Files.copy(src.resolve("merges.txt"), dir.resolve("merges.txt"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 77, \"pad_token\": "
                + "{\"__type\": \"AddedToken\", \"content\": \"<|endoftext|>\"}}");
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"pad_token\": {\"content\": \"!\"}}");
        ClipTokenizer sd2 = ClipTokenizer.load(dir);
        assertEquals(0, sd2.padTokenId());
        PaddedEncoding encoded = sd2.encode("a photo of a cat");
        assertArrayEquals(new long[] {49406, 320, 1125, 539, 320, 2368, 49407, 0, 0},
                Arrays.copyOf(encoded.inputIds(), 9));
        assertEquals(0, encoded.inputIds()[76]);
        assertEquals(7, Arrays.stream(encoded.attentionMask()).sum());
        // A special pad token "!" is never merged into a word, as in transformers.
        assertEquals(List.of("<|startoftext|>", "wow</w>", "!", "!", "<|endoftext|>"), sd2.tokenize("wow!!").tokens());
    }

    @Test
    void padTokenMissingFromTheVocabularyIsAConfigError(@TempDir Path dir) throws IOException {
        Path src = Fixtures.path("tokenizer");
        Files.copy(src.resolve("vocab.json"), dir.resolve("vocab.json"));
        Files.copy(src.resolve("merges.txt"), dir.resolve("merges.txt"));
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"pad_token\": \"<pad>\"}");
        ConfigException e = assertThrows(ConfigException.class, () -> ClipTokenizer.load(dir));
        assertTrue(e.getMessage().contains("pad_token <pad>"), e.getMessage());
    }

    @Test
    void tinySdTokenizerFolderLoads() {
        ClipTokenizer tiny = ClipTokenizer.load(Fixtures.path("tiny-sd/tokenizer"));
        assertArrayEquals(tokenizer.encode("a red circle").inputIds(), tiny.encode("a red circle").inputIds());
        assertFalse(tiny.tokenize("a red circle").truncated());
    }

    private static long[][] rows(long[] flat, int width) {
        long[][] out = new long[flat.length / width][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
        return out;
    }

    private static List<String> concat(List<String> head, String last) {
        List<String> out = new ArrayList<>(head);
        out.add(last);
        return out;
    }
}
