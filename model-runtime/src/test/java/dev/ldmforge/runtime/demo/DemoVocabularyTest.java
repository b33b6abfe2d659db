package dev.ldmforge.runtime.demo;

import dev.ldmforge.runtime.tokenizer.ClipTokenizer;
import dev.ldmforge.runtime.tokenizer.Tokenization;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoVocabularyTest {

    @Test
    void everyCaptionWordIsOneTokenAndCaptionsFitTheContext() {
        DemoVocabulary vocabulary = DemoVocabulary.generate();
        ClipTokenizer tokenizer = vocabulary.tokenizer();
        assertEquals(16, tokenizer.modelMaxLength());
        System.out.println("demo vocabulary: " + vocabulary.size() + " tokens");
        Tokenization t = tokenizer.tokenize("a purple triangle on a white background");
        assertEquals(List.of("<|startoftext|>", "a</w>", "purple</w>", "triangle</w>", "on</w>", "a</w>",
                "white</w>", "background</w>", "<|endoftext|>"), t.tokens());
        for (ShapeScene scene : ShapeScenes.allCaptions()) {
            Tokenization c = tokenizer.tokenize(scene.caption());
            assertFalse(c.truncated(), scene.caption());
            assertTrue(c.inputIds().length <= 9, scene.caption());
        }
        long[] padded = tokenizer.encode("").inputIds();
        assertEquals(16, padded.length);
        assertEquals(tokenizer.bosTokenId(), padded[0]);
        for (int i = 1; i < 16; i++) {
            assertEquals(tokenizer.eosTokenId(), padded[i]);
        }
    }

    @Test
    void writtenFolderLoadsWithTheSameIdsAndLength(@TempDir Path dir) throws IOException {
        DemoVocabulary vocabulary = DemoVocabulary.generate();
        vocabulary.writeTo(dir.resolve("a"));
        DemoVocabulary.generate().writeTo(dir.resolve("b"));
        for (String file : List.of("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(file)),
                    Files.readAllBytes(dir.resolve("b").resolve(file)), file);
        }
        assertTrue(Files.readString(dir.resolve("a/tokenizer_config.json")).contains("\"model_max_length\":16"));
        ClipTokenizer loaded = ClipTokenizer.load(dir.resolve("a"));
        ClipTokenizer built = vocabulary.tokenizer();
        assertEquals(16, loaded.modelMaxLength());
        assertEquals(vocabulary.size(), loaded.vocabularySize());
        List<String> prompts = new ArrayList<>(List.of(""));
        ShapeScenes.allCaptions().forEach(s -> prompts.add(s.caption()));
        for (String prompt : prompts) {
            assertArrayEquals(built.encode(prompt).inputIds(), loaded.encode(prompt).inputIds(), prompt);
            assertArrayEquals(built.encode(prompt).attentionMask(), loaded.encode(prompt).attentionMask(), prompt);
        }
    }

    @Test
    void longPromptsAreCutToSixteenTokensEndingWithTheEndToken() {
        ClipTokenizer tokenizer = DemoVocabulary.generate().tokenizer();
        String prompt = "a red circle on a blue background and a green square on a white background";
        assertTrue(tokenizer.tokenize(prompt).truncated());
        long[] ids = tokenizer.encode(prompt).inputIds();
        assertEquals(16, ids.length);
        assertEquals(tokenizer.eosTokenId(), ids[15]);
        assertArrayEquals(Arrays.copyOf(tokenizer.tokenize(prompt).inputIds(), 15),
                Arrays.copyOf(ids, 15));
    }
}
