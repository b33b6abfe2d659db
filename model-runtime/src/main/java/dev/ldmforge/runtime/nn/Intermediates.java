package dev.ldmforge.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Frees a computation's intermediates as soon as it returns. DJL puts an op's result in the manager of its first
 * operand; attaching the inputs to a sub-manager for the duration makes every intermediate land there, and only the
 * result is moved back to the first input's manager. Nesting keeps peak memory to about one block's activations.
 */
public final class Intermediates {
    private Intermediates() {
    }

    /** Runs {@code body}, whose inputs are {@code inputs} (nulls allowed), and keeps only its result. */
    public static NDArray freedAfter(Supplier<NDArray> body, NDArray... inputs) {
        return freedAfterAll(() -> new NDList(body.get()), inputs).singletonOrThrow();
    }

    /** {@link #freedAfter} for a body with several results. */
    public static NDList freedAfterAll(Supplier<NDList> body, NDArray... inputs) {
        NDManager owner = inputs[0].getManager();
        try (NDManager sub = owner.newSubManager()) {
            Set<NDArray> attached = Collections.newSetFromMap(new IdentityHashMap<>());
            for (NDArray input : inputs) {
                // Attaching one array twice would make the sub-manager its owner, and free it on close.
                if (input != null && attached.add(input)) {
                    input.tempAttach(sub);
                }
            }
            NDList results = body.get();
            results.attach(owner);
            return results;
        }
    }
}
