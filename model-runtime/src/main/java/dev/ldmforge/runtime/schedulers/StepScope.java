package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Frees a step's intermediates: the inputs are lent to a sub-manager (so every array computed from them is created
 * there), the results are handed to the caller's manager, and everything else goes when the scope closes.
 */
final class StepScope implements AutoCloseable {
    private final NDManager caller;
    private final NDManager scope;

    StepScope(NDArray sample, NDArray... inputs) {
        this(sample, List.of(), inputs);
    }

    /** {@code kept}: arrays a scheduler holds between steps that this step computes with. */
    StepScope(NDArray sample, List<NDArray> kept, NDArray... inputs) {
        caller = sample.getManager();
        scope = caller.newSubManager();
        Set<NDArray> lent = Collections.newSetFromMap(new IdentityHashMap<>());
        lent.add(sample);
        lent.addAll(kept);
        for (NDArray input : inputs) {
            if (input != null) {
                lent.add(input);
            }
        }
        scope.tempAttachAll(lent.toArray(new NDArray[0]));
    }

    /** Lends one more array (e.g. one just kept by the scheduler) so that what is computed from it is freed too. */
    NDArray lend(NDArray array) {
        scope.tempAttachAll(array);
        return array;
    }

    /** Hands a result over to the caller's manager so it outlives the scope. */
    NDArray result(NDArray array) {
        if (array != null) {
            array.attach(caller);
        }
        return array;
    }

    @Override
    public void close() {
        scope.close();
    }
}
