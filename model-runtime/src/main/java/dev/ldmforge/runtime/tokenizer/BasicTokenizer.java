package dev.ldmforge.runtime.tokenizer;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The text clean-up transformers' slow {@code CLIPTokenizer} applies when ftfy is not installed: its
 * {@code BasicTokenizer(strip_accents=False, do_split_on_punc=False)}. Control and format characters are dropped
 * (so a zero-width joiner disappears), whitespace becomes single spaces, CJK ideographs become separate words, the
 * text is NFC-normalised and lower-cased. HTML entities are left as they are.
 */
final class BasicTokenizer {

    private BasicTokenizer() {
    }

    /** The cleaned words joined by single spaces, as {@code " ".join(BasicTokenizer.tokenize(text))}. */
    static String clean(String text) {
        StringBuilder cleaned = new StringBuilder(text.length() + 8);
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                return;
            }
            if (isWhitespace(cp)) {
                cleaned.append(' ');
            } else if (isChineseChar(cp)) {
                cleaned.append(' ').appendCodePoint(cp).append(' ');
            } else {
                cleaned.appendCodePoint(cp);
            }
        });
        String normalized = Normalizer.normalize(cleaned, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(normalized.length());
        // Python's str.split(): after the clean-up only spaces and the line/paragraph separators remain as whitespace.
        for (String word : normalized.split("[ \u2028\u2029]+")) {
            if (!word.isEmpty()) {
                if (out.length() > 0) {
                    out.append(' ');
                }
                out.append(word.toLowerCase(Locale.ROOT));
            }
        }
        return out.toString();
    }

    private static boolean isWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    /** Unicode category C* (Cc, Cf, Co, Cs, Cn) except tab, newline and carriage return. */
    private static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE
                || type == Character.SURROGATE || type == Character.UNASSIGNED;
    }

    /** The CJK Unified Ideographs blocks BERT's tokenizer splits into single characters (not kana or hangul). */
    private static boolean isChineseChar(int cp) {
        return cp >= 0x4E00 && cp <= 0x9FFF || cp >= 0x3400 && cp <= 0x4DBF || cp >= 0x20000 && cp <= 0x2A6DF
                || cp >= 0x2A700 && cp <= 0x2B73F || cp >= 0x2B740 && cp <= 0x2B81F || cp >= 0x2B820 && cp <= 0x2CEAF
                || cp >= 0xF900 && cp <= 0xFAFF || cp >= 0x2F800 && cp <= 0x2FA1F;
    }
}
