package dev.ldmforge.runtime.config;

import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses config fields a reader does not know: a field added by a newer library version may change the
 * architecture, so it is an error rather than silently ignored. Fields starting with "_" are metadata.
 */
public final class KnownFields {
    private KnownFields() {
    }

    public static void check(JsonConfig config, Set<String> known) {
        Set<String> unknown = new TreeSet<>();
        for (Iterator<String> it = config.node().fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!field.startsWith("_") && !known.contains(field)) {
                unknown.add(field);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException(config.source() + ": unknown field(s) " + unknown
                    + " (not part of the supported diffusers 0.25 config; refusing rather than ignoring them)");
        }
    }
}
