package dev.ldmforge.runtime.textencoder;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.ldmforge.runtime.config.JsonConfig;

/** The MLP activations CLIP text encoders use ({@code hidden_act}). */
public enum ClipActivation {
    /** OpenAI CLIP (SD 1.x): x * sigmoid(1.702 x). */
    QUICK_GELU("quick_gelu"),
    /** OpenCLIP (SD 2.x): the exact erf form, 0.5 x (1 + erf(x / sqrt 2)), as torch's default gelu. */
    GELU("gelu");

    private final String configName;

    ClipActivation(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public NDArray apply(NDArray x) {
        return switch (this) {
            case QUICK_GELU -> x.mul(Activation.sigmoid(x.mul(1.702f)));
            case GELU -> Activation.gelu(x);
        };
    }

    static ClipActivation read(JsonConfig config) {
        String name = config.oneOf("hidden_act", QUICK_GELU.configName, QUICK_GELU.configName, GELU.configName);
        return name.equals(GELU.configName) ? GELU : QUICK_GELU;
    }
}
