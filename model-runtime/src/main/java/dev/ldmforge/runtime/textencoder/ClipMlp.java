package dev.ldmforge.runtime.textencoder;

import ai.djl.ndarray.NDArray;
import dev.ldmforge.runtime.nn.Linear;
import dev.ldmforge.runtime.nn.Scope;

/** transformers' {@code CLIPMLP}: fc1, activation, fc2. */
final class ClipMlp {
    private final Linear fc1;
    private final Linear fc2;
    private final ClipActivation activation;

    ClipMlp(Scope scope, ClipTextConfig config) {
        this.fc1 = new Linear(scope.child("fc1"), config.hiddenSize(), config.intermediateSize(), true);
        this.fc2 = new Linear(scope.child("fc2"), config.intermediateSize(), config.hiddenSize(), true);
        this.activation = config.hiddenAct();
    }

    NDArray forward(NDArray x) {
        return fc2.forward(activation.apply(fc1.forward(x)));
    }
}
