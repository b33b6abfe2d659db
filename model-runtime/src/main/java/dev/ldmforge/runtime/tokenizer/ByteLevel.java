package dev.ldmforge.runtime.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * GPT-2 / CLIP {@code bytes_to_unicode}: every byte maps to a printable character, so BPE works on text without
 * spaces or control characters. Printable Latin-1 bytes map to themselves, the other 68 to U+0100 onwards.
 */
final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];

    static {
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF;
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + next++);
        }
    }

    private ByteLevel() {
    }

    /** The text's UTF-8 bytes, each as its printable stand-in character. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /** The 256 stand-in characters in CLIP's vocabulary order: printable bytes first, then the remapped ones. */
    static String vocabularyOrder() {
        StringBuilder printable = new StringBuilder();
        StringBuilder remapped = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            (BYTE_TO_CHAR[b] == b ? printable : remapped).append(BYTE_TO_CHAR[b]);
        }
        return printable.append(remapped).toString();
    }
}
