package dev.ldmforge.runtime.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ldmforge.runtime.nn.Parameter;

import java.util.ArrayList;
import java.util.List;

/**
 * Exponential moving average of parameters, the weights a diffusion model ships (Ho et al.; LDM). The decay warms up
 * as {@code min(decay, (1 + n) / (10 + n))} so the average is not dominated by the random initialisation.
 */
public final class ExponentialMovingAverage implements AutoCloseable {
    private final List<Parameter> parameters;
    private final List<NDArray> averages = new ArrayList<>();
    private final NDManager state;
    private final double decay;
    private int updates;

    public ExponentialMovingAverage(List<Parameter> parameters, double decay) {
        this.parameters = List.copyOf(parameters);
        this.decay = decay;
        this.state = this.parameters.get(0).array().getManager().newSubManager();
        NoGradient.run(() -> {
            for (Parameter p : this.parameters) {
                NDArray copy = p.array().duplicate();
                copy.attach(state);
                averages.add(copy);
            }
        });
    }

    /** Moves every average towards its parameter's current value; call after each optimiser step. */
    public void update() {
        NoGradient.run(this::moveAverages);
    }

    private void moveAverages() {
        float d = (float) Math.min(decay, (1.0 + updates) / (10.0 + updates));
        updates++;
        for (int i = 0; i < parameters.size(); i++) {
            NDArray average = averages.get(i);
            try (NDManager temps = state.newSubManager()) {
                NDArray w = parameters.get(i).array();
                w.tempAttach(temps);
                average.muli(d).addi(w.mul(1 - d));
            }
        }
    }

    /** The average of {@code parameters.get(i)}. */
    public NDArray average(int i) {
        return averages.get(i);
    }

    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public void close() {
        state.close();
    }
}
