package dev.ldmforge.jobs.generate;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The models a job declares, NAME → LOCATION: {@code --model} under the string the user gave, and every
 * {@code --extra-model NAME=LOCATION}. A request's {@code model} may only name one of them: the names are the trust
 * boundary, so a row can never make an executor open a path, bucket or Hub id the job did not name.
 *
 * @param defaultName the job's own model ({@code --model}), used by rows without a model
 * @param locations   what each name loads, after the driver pinned Hugging Face ids to a commit
 */
public record DeclaredModels(String defaultName, Map<String, String> locations) implements Serializable {

    public DeclaredModels {
        if (!locations.containsKey(defaultName)) {
            throw new IllegalArgumentException("the job's model " + defaultName + " is not among its declared models");
        }
        locations = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(locations));
    }

    /**
     * {@code --model} and the {@code --extra-model NAME=LOCATION} values; throws IllegalArgumentException naming the
     * flag and value of a malformed or repeated name.
     */
    public static DeclaredModels of(String model, List<String> extraModels) {
        Map<String, String> locations = new LinkedHashMap<>();
        locations.put(model, model);
        for (String spec : extraModels) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new IllegalArgumentException("--extra-model must be NAME=LOCATION, got " + spec);
            }
            String name = spec.substring(0, eq).strip();
            String location = spec.substring(eq + 1).strip();
            if (name.isEmpty() || location.isEmpty()) {
                throw new IllegalArgumentException("--extra-model must be NAME=LOCATION, got " + spec);
            }
            if (locations.putIfAbsent(name, location) != null) {
                throw new IllegalArgumentException("--extra-model: the name " + name + " is declared twice");
            }
        }
        return new DeclaredModels(model, locations);
    }

    /** The same names with their locations as {@code pin} returns them (the driver pins hub ids once per job). */
    public DeclaredModels withLocations(UnaryOperator<String> pin) {
        Map<String, String> pinned = new LinkedHashMap<>();
        locations.forEach((name, location) -> pinned.put(name, pin.apply(location)));
        return new DeclaredModels(defaultName, pinned);
    }

    /** What executors load for a declared name; empty for a name the job does not declare. */
    public Optional<String> location(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(locations.get(name));
    }

    public boolean declares(String name) {
        return name != null && locations.containsKey(name);
    }

    /** The model a request uses: its own {@code model}, else the job's. */
    public String nameFor(String requested) {
        return requested != null ? requested : defaultName;
    }
}
