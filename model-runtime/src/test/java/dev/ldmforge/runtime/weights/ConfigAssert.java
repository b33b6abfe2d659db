package dev.ldmforge.runtime.weights;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ldmforge.runtime.config.JsonConfig;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Compares a derived config with a saved one field by field; numbers by value (1 == 1.0). */
final class ConfigAssert {

    private ConfigAssert() {
    }

    /**
     * Every field of {@code derived} (except those in {@code skip}) equals the saved one; a field the saved file
     * lacks must equal its library default given in {@code defaults}.
     */
    static void derivedMatchesSaved(JsonConfig derived, JsonConfig saved, Map<String, Object> defaults,
                                    String... skip) {
        for (Iterator<String> it = derived.node().fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (field.startsWith("_diffusers") || Arrays.asList(skip).contains(field)) {
                continue;
            }
            JsonNode expected = saved.node().get(field);
            if (expected == null) {
                assertTrue(defaults.containsKey(field), saved.source() + " lacks " + field + " and has no default");
                assertEquals(String.valueOf(defaults.get(field)), derived.node().get(field).asText(), field);
                continue;
            }
            if (!same(expected, derived.node().get(field))) {
                fail(field + ": saved " + expected + " but derived " + derived.node().get(field) + " ("
                        + derived.source() + ")");
            }
        }
    }

    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.doubleValue() == b.doubleValue();
        }
        if (a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }
}
