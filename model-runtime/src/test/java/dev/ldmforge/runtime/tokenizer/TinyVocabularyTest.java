package dev.ldmforge.runtime.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TinyVocabularyTest {

    @Test
    void generationIsByteIdentical(@TempDir Path dir) throws IOException {
        TinyVocabulary.generate().writeTo(dir.resolve("a"));
        TinyVocabulary.generate().writeTo(dir.resolve("b"));
        for (String file : List.of("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(file)),
                    Files.readAllBytes(dir.resolve("b").resolve(file)), file);
        }
        assertTrue(Files.readString(dir.resolve("a/merges.txt")).startsWith("#version: 0.2\n"));
    }

    @Test
    void writtenFolderLoadsAndTokenizesPromptsIntoWords(@TempDir Path dir) {
        TinyVocabulary vocabulary = TinyVocabulary.generate();
        vocabulary.writeTo(dir);
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        System.out.println("tiny vocabulary: " + vocabulary.size() + " tokens");
        assertEquals(vocabulary.size(), tokenizer.vocabularySize());
        assertEquals(vocabulary.size() - 2, tokenizer.bosTokenId());
        assertEquals(vocabulary.size() - 1, tokenizer.eosTokenId());
        assertEquals(tokenizer.eosTokenId(), tokenizer.padTokenId());

        Tokenization t = tokenizer.tokenize("A red circle on a blue background");
        assertEquals(List.of("<|startoftext|>", "a</w>", "red</w>", "circle</w>", "on</w>", "a</w>", "blue</w>",
                "background</w>", "<|endoftext|>"), t.tokens());
        assertFalse(t.truncated());
        assertEquals(List.of("<|startoftext|>", "two</w>", "green</w>", "triangles</w>", ",</w>", "a</w>",
                        "yellow</w>", "star</w>", "and</w>", "3</w>", "cats</w>", "<|endoftext|>"),
                tokenizer.tokenize("two green triangles, a yellow star and 3 cats").tokens());
        // Unknown words fall back to smaller pieces, never to the unknown token.
        long[] unknown = tokenizer.tokenize("zyxwvut qq").inputIds();
        assertTrue(unknown.length > 4);
        assertFalse(Arrays.stream(unknown, 1, unknown.length - 1).anyMatch(id -> id == tokenizer.eosTokenId()));
        assertArrayEquals(tokenizer.encode("a red circle").inputIds(),
                vocabulary.tokenizer().encode("a red circle").inputIds(), "in-memory tokenizer = written files");
    }

    @Test
    void everyListedWordIsOneToken() throws IOException {
        ClipTokenizer tokenizer = TinyVocabulary.generate().tokenizer();
        String list;
        try (InputStream in = TinyVocabulary.class.getResourceAsStream("tiny-words.txt")) {
            list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int words = 0;
        for (String word : list.split("\n")) {
            if (!word.isBlank() && !word.startsWith("#")) {
                assertEquals(List.of("<|startoftext|>", word + "</w>", "<|endoftext|>"),
                        tokenizer.tokenize(word).tokens(), word);
                words++;
            }
        }
        assertTrue(words > 500, words + " words");
    }
}
