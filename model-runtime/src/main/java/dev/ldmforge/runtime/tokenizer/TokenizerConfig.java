package dev.ldmforge.runtime.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.config.JsonConfig;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The special tokens and length of a Hugging Face CLIP tokenizer folder. As in transformers, a token named in
 * {@code special_tokens_map.json} overrides {@code tokenizer_config.json}; a token is a string or an AddedToken
 * object {@code {"content": ...}}. SD 1.x pads with {@code <|endoftext|>}, SD 2.x with {@code !}.
 */
public record TokenizerConfig(String bosToken, String eosToken, String unkToken, String padToken,
                              int modelMaxLength) {

    /** CLIPTokenizer's constructor defaults and CLIP's context length. */
    public static final TokenizerConfig CLIP_DEFAULTS =
            new TokenizerConfig("<|startoftext|>", "<|endoftext|>", "<|endoftext|>", "<|endoftext|>", 77);

    /** The same special tokens with another context length (e.g. a small model's 16 positions). */
    public TokenizerConfig withModelMaxLength(int length) {
        if (length < 2) {
            throw new IllegalArgumentException("model_max_length " + length
                    + " leaves no room for the start and end tokens");
        }
        return new TokenizerConfig(bosToken, eosToken, unkToken, padToken, length);
    }

    /** The same tokens with another padding token (OpenCLIP tokenizers pad with {@code !}, id 0). */
    public TokenizerConfig withPadToken(String token) {
        return new TokenizerConfig(bosToken, eosToken, unkToken, token, modelMaxLength);
    }

    public static TokenizerConfig read(Path dir) {
        Path configFile = dir.resolve("tokenizer_config.json");
        Path mapFile = dir.resolve("special_tokens_map.json");
        JsonConfig config = Files.isRegularFile(configFile) ? JsonConfig.read(configFile) : null;
        JsonConfig map = Files.isRegularFile(mapFile) ? JsonConfig.read(mapFile) : null;
        int maxLength = config == null ? CLIP_DEFAULTS.modelMaxLength()
                : config.integer("model_max_length", CLIP_DEFAULTS.modelMaxLength());
        if (maxLength < 2) {
            throw new ConfigException(configFile + ": model_max_length " + maxLength
                    + " leaves no room for the start and end tokens");
        }
        return new TokenizerConfig(
                token("bos_token", CLIP_DEFAULTS.bosToken(), config, map),
                token("eos_token", CLIP_DEFAULTS.eosToken(), config, map),
                token("unk_token", CLIP_DEFAULTS.unkToken(), config, map),
                token("pad_token", CLIP_DEFAULTS.padToken(), config, map),
                maxLength);
    }

    private static String token(String field, String dflt, JsonConfig config, JsonConfig map) {
        for (JsonConfig source : new JsonConfig[] {map, config}) {
            if (source != null && source.has(field)) {
                return content(source, field);
            }
        }
        return dflt;
    }

    private static String content(JsonConfig source, String field) {
        JsonNode n = source.node().get(field);
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isObject() && n.path("content").isTextual()) {
            return n.get("content").asText();
        }
        throw new ConfigException(source.source() + ": field " + field + " is " + n
                + ", expected a string or an AddedToken object with \"content\"");
    }
}
