package dev.ldmforge.runtime.textencoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.testing.TensorAssert;
import dev.ldmforge.runtime.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SDXL's text encoders against transformers (tiny-sdxl-refs case text_encoders, text encoder atol 5e-5):
 * {@code hidden_states[-2]}, the last hidden state and text_encoder_2's projected pooled output (the real-size
 * state dicts: {@code ClipTextModelManifestTest}).
 */
class ClipTextModelWithProjectionTest {
    private static final double ATOL = 5e-5;

    @Test
    void bothEncodersMatchTransformers() {
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsFile refs = SafetensorsFile.open(Fixtures.path("refs/tiny-sdxl-refs.safetensors"))) {
            Parameters params = new Parameters();
            ClipTextModel first = new ClipTextModel(config("text_encoder"), params.root());
            load(params, "text_encoder", m);
            Parameters params2 = new Parameters();
            ClipTextModelWithProjection second = new ClipTextModelWithProjection(config("text_encoder_2"),
                    params2.root());
            load(params2, "text_encoder_2", m);
            assertEquals(ClipActivation.QUICK_GELU, first.config().hiddenAct());
            assertEquals(ClipActivation.GELU, second.config().hiddenAct());

            NDArray ids = refs.load("text_encoder.input_ids", m, DataType.INT64);
            ClipTextOutput out = first.forward(ids);
            check(refs, "text_encoder.last_hidden_state", out.lastHiddenState());
            check(refs, "text_encoder.penultimate_hidden_state", out.penultimateHiddenState());
            check(refs, "text_encoder.penultimate_hidden_state", first.hiddenState(ids, 1));

            ClipTextModelWithProjection.Output out2 = second.forward(refs.load("text_encoder_2.input_ids", m,
                    DataType.INT64));
            check(refs, "text_encoder_2.last_hidden_state", out2.text().lastHiddenState());
            check(refs, "text_encoder_2.penultimate_hidden_state", out2.text().penultimateHiddenState());
            check(refs, "text_encoder_2.text_embeds", out2.textEmbeds());
        }
    }

    private static ClipTextConfig config(String component) {
        return ClipTextConfig.read(Fixtures.path("tiny-sdxl/" + component + "/config.json"));
    }

    private static void load(Parameters params, String component, NDManager m) {
        try (SafetensorsFile weights = SafetensorsFile.open(Fixtures.path("tiny-sdxl/" + component
                + "/model.safetensors"))) {
            params.load(weights, m, DataType.FLOAT32, ClipTextModel::isBuffer);
        }
    }

    private static void check(SafetensorsFile refs, String name, NDArray actual) {
        NDArray expected = refs.load(name, actual.getManager(), DataType.FLOAT32);
        System.out.printf("%s max|diff| %.3g%n", name, TensorAssert.maxAbsDiff(expected, actual));
        TensorAssert.assertClose(expected, actual, ATOL, name);
    }
}
