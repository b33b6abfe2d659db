package dev.ldmforge.runtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Typed, strict access to one diffusers/transformers {@code config.json}. Absent or null fields take the caller's
 * default (as diffusers' {@code from_config} does); a present field of the wrong type or an unsupported value is a
 * {@link ConfigException} naming the file, the field and the value.
 */
public final class JsonConfig {
    /** Python's json writes -Infinity/NaN (diffusers' lambda_min_clipped default): accept them. */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private final JsonNode root;
    private final String source;

    public JsonConfig(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new ConfigException(source + ": not a JSON object");
        }
        this.root = root;
        this.source = source;
    }

    public static JsonConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": config file not found");
        }
        try {
            return new JsonConfig(JSON.readTree(file.toFile()), file.toString());
        } catch (IOException e) {
            throw new ConfigException(file + ": not valid JSON: " + e.getMessage());
        }
    }

    public static JsonConfig parse(String json, String source) {
        try {
            return new JsonConfig(JSON.readTree(json), source);
        } catch (IOException e) {
            throw new ConfigException(source + ": not valid JSON: " + e.getMessage());
        }
    }

    public String source() {
        return source;
    }

    public JsonNode node() {
        return root;
    }

    public boolean has(String field) {
        JsonNode n = root.get(field);
        return n != null && !n.isNull();
    }

    private JsonNode get(String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : n;
    }

    public int integer(String field, int dflt) {
        JsonNode n = get(field);
        if (n == null) {
            return dflt;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() && n.asDouble() != Math.rint(n.asDouble())) {
            throw bad(field, n, "an integer");
        }
        return n.asInt();
    }

    public int requiredInt(String field) {
        if (!has(field)) {
            throw new ConfigException(source + ": required field " + field + " is missing");
        }
        return integer(field, 0);
    }

    public double number(String field, double dflt) {
        JsonNode n = get(field);
        if (n == null) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw bad(field, n, "a number");
        }
        return n.asDouble();
    }

    public boolean bool(String field, boolean dflt) {
        JsonNode n = get(field);
        if (n == null) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw bad(field, n, "true or false");
        }
        return n.asBoolean();
    }

    public String string(String field, String dflt) {
        JsonNode n = get(field);
        if (n == null) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw bad(field, n, "a string");
        }
        return n.asText();
    }

    /** A string field that must be one of {@code allowed}; anything else is refused, never silently replaced. */
    public String oneOf(String field, String dflt, String... allowed) {
        String value = string(field, dflt);
        if (value != null && !Arrays.asList(allowed).contains(value)) {
            throw unsupported(field, value, "supported: " + String.join(", ", allowed));
        }
        return value;
    }

    /** An int list; a single int is repeated {@code count} times (diffusers accepts both for per-block fields). */
    public int[] intsOrRepeated(String field, int count, int dflt) {
        JsonNode n = get(field);
        int[] out = new int[count];
        if (n == null) {
            Arrays.fill(out, dflt);
            return out;
        }
        if (n.isIntegralNumber()) {
            Arrays.fill(out, n.asInt());
            return out;
        }
        int[] list = ints(field);
        if (list.length != count) {
            throw new ConfigException(source + ": " + field + " has " + list.length + " entries " + n
                    + " but the model has " + count + " blocks");
        }
        return list;
    }

    public int[] ints(String field) {
        JsonNode n = get(field);
        if (n == null) {
            throw new ConfigException(source + ": required field " + field + " is missing");
        }
        if (!n.isArray()) {
            throw bad(field, n, "a list of integers");
        }
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            if (!n.get(i).isIntegralNumber()) {
                throw bad(field, n, "a list of integers");
            }
            out[i] = n.get(i).asInt();
        }
        return out;
    }

    public List<String> strings(String field) {
        JsonNode n = get(field);
        if (n == null) {
            throw new ConfigException(source + ": required field " + field + " is missing");
        }
        if (!n.isArray()) {
            throw bad(field, n, "a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw bad(field, n, "a list of strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    /** Fails when a field that would change the architecture is set to anything but its supported neutral value. */
    public void requireAbsentOr(String field, Object neutral) {
        JsonNode n = get(field);
        if (n == null) {
            return;
        }
        Object value = n.isNumber() ? (Object) n.numberValue().doubleValue() : n.isBoolean() ? n.asBoolean()
                : n.isTextual() ? n.asText() : n.toString();
        Object expected = neutral instanceof Number num ? (Object) num.doubleValue() : neutral;
        if (!value.equals(expected)) {
            throw unsupported(field, n.toString(), "only " + neutral + " is supported");
        }
    }

    public ConfigException unsupported(String field, Object value, String hint) {
        return new ConfigException(source + ": unsupported value for " + field + ": " + value + " (" + hint + ")");
    }

    private ConfigException bad(String field, JsonNode value, String expected) {
        return new ConfigException(source + ": field " + field + " is " + value + ", expected " + expected);
    }
}
