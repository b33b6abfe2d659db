package dev.ldmforge.schemas;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed access to a generic field map as JSON, Avro or a Spark row (Parquet, CSV) delivers it. A null value is an
 * absent field; so is a blank string except in the prompt fields (an empty CSV cell). Strings are any
 * {@code CharSequence} (Avro's Utf8). Numbers are any {@code Number}, or a string that parses exactly as a decimal
 * number (CSV has no types): {@code "50"} and {@code "7.5"} are numbers, {@code "fifty"} and {@code " 50"} are not.
 * An integer field takes only integral values ({@code 50}, {@code 50.0}, {@code "50"}); {@code 50.5}, NaN and
 * infinities are {@link ErrorCode#WRONG_TYPE}.
 */
final class RawFields {
    private static final int SHOWN_CHARS = 100;

    private final Map<String, ?> fields;

    RawFields(Map<String, ?> fields) {
        this.fields = fields;
    }

    /** The string value, or null when absent. */
    String string(String name) throws InvalidRecordException {
        Object value = fields.get(name);
        if (value == null || value instanceof CharSequence) {
            return value == null ? null : value.toString();
        }
        throw wrongType(name, "a string", value);
    }

    /** Like {@link #string} but null when {@link #absent}. */
    String optionalText(String name) throws InvalidRecordException {
        return absent(name) ? null : string(name);
    }

    /** Null, or a blank string: an empty CSV or spreadsheet cell. */
    boolean absent(String name) {
        Object value = fields.get(name);
        return value == null || value instanceof CharSequence text && text.toString().isBlank();
    }

    /** A boolean, or a string {@code true}/{@code false} in any case (CSV has no types); null when absent. */
    Boolean bool(String name) throws InvalidRecordException {
        if (absent(name)) {
            return null;
        }
        Object value = fields.get(name);
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof CharSequence text && (text.toString().equalsIgnoreCase("true")
                || text.toString().equalsIgnoreCase("false"))) {
            return Boolean.valueOf(text.toString());
        }
        throw wrongType(name, "a boolean", value);
    }

    /** The exact numeric value, or null when {@link #absent}. */
    BigDecimal number(String name) throws InvalidRecordException {
        if (absent(name)) {
            return null;
        }
        Object value = fields.get(name);
        BigDecimal number = exact(value);
        if (number == null) {
            throw wrongType(name, "a number", value);
        }
        return number;
    }

    /** The integral value (kept as BigDecimal: "1e999999999" must not become a BigInteger), or null when absent. */
    BigDecimal integer(String name) throws InvalidRecordException {
        BigDecimal number = number(name);
        if (number != null && number.signum() != 0 && number.stripTrailingZeros().scale() > 0) {
            throw wrongType(name, "an integer", fields.get(name));
        }
        return number;
    }

    /**
     * A {@code map<string,string>}; absent is empty. A string value is read as a JSON object (a CSV cell cannot hold
     * a map).
     */
    Map<String, String> stringMap(String name) throws InvalidRecordException {
        if (absent(name)) {
            return Map.of();
        }
        Object value = fields.get(name);
        if (value instanceof CharSequence text) {
            try {
                value = JsonCodec.readFields(text.toString());
            } catch (InvalidRecordException e) {
                throw wrongType(name, "a map of strings", value);
            }
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw wrongType(name, "a map of strings", value);
        }
        Map<String, String> strings = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getKey() instanceof CharSequence) || !(entry.getValue() instanceof CharSequence)) {
                throw wrongType(name + "." + entry.getKey(), "a string", entry.getValue());
            }
            strings.put(entry.getKey().toString(), entry.getValue().toString());
        }
        return strings;
    }

    Iterable<String> names() {
        return fields.keySet();
    }

    Object raw(String name) {
        return fields.get(name);
    }

    /** A value for a message: strings quoted, everything cut to ~100 characters. */
    static String show(Object value) {
        String text = String.valueOf(value);
        if (text.length() > SHOWN_CHARS) {
            text = text.substring(0, SHOWN_CHARS) + "…(" + text.length() + " chars)";
        }
        return value instanceof CharSequence ? "\"" + text + "\"" : text;
    }

    private static BigDecimal exact(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        if (value instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (value instanceof BigDecimal d) {
            return d;
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            // Float via its own shortest decimal form, so 7.1f reads as 7.1 and not 7.099999904632568.
            return !Double.isFinite(d) ? null
                    : value instanceof Float f ? new BigDecimal(Float.toString(f)) : BigDecimal.valueOf(d);
        }
        if (value instanceof CharSequence text) {
            try {
                return new BigDecimal(text.toString());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static InvalidRecordException wrongType(String name, String expected, Object value) {
        return new InvalidRecordException(ErrorCode.WRONG_TYPE,
                name + ": expected " + expected + ", got " + typeName(value) + " " + show(value));
    }

    private static String typeName(Object value) {
        if (value instanceof CharSequence) {
            return "string";
        }
        if (value instanceof Number) {
            return "number";
        }
        if (value instanceof Boolean) {
            return "boolean";
        }
        if (value instanceof Map<?, ?>) {
            return "map";
        }
        if (value instanceof List<?> || value instanceof Object[]) {
            return "list";
        }
        return value == null ? "null" : value.getClass().getSimpleName();
    }
}
