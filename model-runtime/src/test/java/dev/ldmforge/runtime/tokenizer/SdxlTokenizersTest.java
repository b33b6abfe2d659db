package dev.ldmforge.runtime.tokenizer;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.weights.SafetensorsFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SDXL's two tokenizers against transformers (tiny-sdxl-refs case tokenizer_2, exact): tokenizer/ pads with the end
 * token, tokenizer_2/ with "!" (id 0), which then splits out of prompts as a special token; the CLIP tokenizer with
 * its pad token replaced (what a single file gets) gives tokenizer_2's ids.
 */
class SdxlTokenizersTest {
    private static final int LENGTH = 77;

    private static List<String> prompts;
    private static long[][] ids1;
    private static long[][] ids2;

    @BeforeAll
    static void load() throws IOException {
        JsonNode refs = new ObjectMapper().readTree(Fixtures.path("refs/tiny-sdxl-refs.json").toFile());
        prompts = new ArrayList<>();
        for (JsonNode c : refs.get("cases")) {
            if (c.get("id").asText().equals("tokenizer_2")) {
                c.get("prompts").forEach(p -> prompts.add(p.get("prompt").asText()));
            }
        }
        assertEquals(8, prompts.size());
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsFile file = SafetensorsFile.open(Fixtures.path("refs/tiny-sdxl-refs.safetensors"))) {
            ids1 = rows(file.load("tokenizer_1.input_ids", m, DataType.INT64).toLongArray());
            ids2 = rows(file.load("tokenizer_2.input_ids", m, DataType.INT64).toLongArray());
        }
    }

    private static long[][] rows(long[] flat) {
        long[][] out = new long[flat.length / LENGTH][];
        for (int i = 0; i < out.length; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * LENGTH, (i + 1) * LENGTH);
        }
        return out;
    }

    @Test
    void bothTokenizersGiveTheExactIds() {
        ClipTokenizer tokenizer = ClipTokenizer.load(Fixtures.path("tiny-sdxl/tokenizer"));
        ClipTokenizer tokenizer2 = ClipTokenizer.load(Fixtures.path("tiny-sdxl/tokenizer_2"));
        assertEquals(0, tokenizer2.padTokenId());
        assertEquals(49407, tokenizer.padTokenId());
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(ids1[i], tokenizer.encode(prompts.get(i)).inputIds(), "tokenizer: " + prompts.get(i));
            assertArrayEquals(ids2[i], tokenizer2.encode(prompts.get(i)).inputIds(), "tokenizer_2: " + prompts.get(i));
        }
    }

    @Test
    void clipTokenizerWithExclamationPaddingIsTokenizer2() {
        ClipTokenizer derived = ClipTokenizer.load(Fixtures.path("tokenizer")).withPadToken("!");
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(ids2[i], derived.encode(prompts.get(i)).inputIds(), prompts.get(i));
        }
    }
}
