package dev.ldmforge.runtime.textencoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.ldmforge.runtime.nn.Parameter;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.testing.TensorAssert;
import dev.ldmforge.runtime.tokenizer.ClipTokenizer;
import dev.ldmforge.runtime.weights.SafetensorsFile;
import dev.ldmforge.runtime.weights.StoredDtype;
import dev.ldmforge.runtime.weights.TensorInfo;
import dev.ldmforge.runtime.weights.TensorSource;
import dev.ldmforge.runtime.weights.WeightsException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parity with transformers' CLIPTextModel on the tiny-sd text encoder (fixture README: atol 5e-5). */
class ClipTextModelTest {
    private static final double ATOL = 5e-5;

    private static NDManager manager;
    private static SafetensorsFile refs;
    private static ClipTextModel model;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        refs = SafetensorsFile.open(Fixtures.path("refs/tiny-sd-refs.safetensors"));
        ClipTextConfig config = ClipTextConfig.read(Fixtures.path("tiny-sd/text_encoder/config.json"));
        Parameters params = new Parameters();
        model = new ClipTextModel(config, params.root());
        try (SafetensorsFile weights = SafetensorsFile.open(Fixtures.path("tiny-sd/text_encoder/model.safetensors"))) {
            params.load(weights, manager, DataType.FLOAT32, ClipTextModel::isBuffer);
        }
    }

    @AfterAll
    static void close() {
        refs.close();
        manager.close();
    }

    @Test
    void lastHiddenStateAndPooledOutputMatchTransformers() {
        try (NDManager m = manager.newSubManager()) {
            NDArray ids = refs.load("text_encoder.input_ids", m, DataType.INT64);
            ClipTextOutput out = model.forward(ids);
            NDArray expectedLast = refs.load("text_encoder.last_hidden_state", m, DataType.FLOAT32);
            NDArray expectedPooled = refs.load("text_encoder.pooler_output", m, DataType.FLOAT32);
            System.out.printf("text encoder max |diff|: last_hidden_state %.3g, pooler_output %.3g%n",
                    TensorAssert.maxAbsDiff(expectedLast, out.lastHiddenState()),
                    TensorAssert.maxAbsDiff(expectedPooled, out.pooledOutput()));
            TensorAssert.assertClose(expectedLast, out.lastHiddenState(), ATOL, "last_hidden_state");
            TensorAssert.assertClose(expectedPooled, out.pooledOutput(), ATOL, "pooler_output");
            TensorAssert.assertClose(out.lastHiddenState(), model.encode(ids, 0), 0, "encode with clip_skip 0");
        }
    }

    @Test
    void tokenizerGivesTheEncoderInputIds() {
        ClipTokenizer tokenizer = ClipTokenizer.load(Fixtures.path("tiny-sd/tokenizer"));
        List<String> prompts = List.of("a red circle on a blue background", "", "a highly detailed photograph of an"
                + " old stone lighthouse standing on a rocky cliff above a stormy grey sea at dusk, with seagulls "
                + "circling, waves crashing against the rocks, warm light glowing from the lantern room, dramatic "
                + "clouds, rain streaks, cinematic lighting, wide angle lens, award winning composition, sharp focus, "
                + "intricate textures, moody atmosphere, 8k resolution, painted by a master of romantic seascapes, "
                + "with a small fishing boat fighting the swell in the foreground and a lonely keeper watching from "
                + "the gallery");
        try (NDManager m = manager.newSubManager()) {
            long[] expected = refs.load("text_encoder.input_ids", m, DataType.INT64).toLongArray();
            for (int i = 0; i < prompts.size(); i++) {
                long[] row = Arrays.copyOfRange(expected, i * 77, (i + 1) * 77);
                assertArrayEquals(row, tokenizer.encode(prompts.get(i)).inputIds(), prompts.get(i));
            }
        }
    }

    @Test
    void clipSkipStopsEarlyAndAppliesTheFinalLayerNorm() {
        try (NDManager m = manager.newSubManager()) {
            NDArray ids = refs.load("text_encoder.input_ids", m, DataType.INT64);
            NDArray skipped = model.encode(ids, 1);
            assertEquals(ids.getShape().get(0), skipped.getShape().get(0));
            double diff = TensorAssert.maxAbsDiff(model.forward(ids).lastHiddenState(), skipped);
            assertTrue(diff > 1e-3, "clip_skip 1 differs from the last layer");
            assertThrows(IllegalArgumentException.class, () -> model.encode(ids, 6));
        }
    }

    @Test
    void intermediatesAreFreedAndResultsLandInTheCallersManager() {
        int weightArrays = manager.getManagedArrays().size();
        try (NDManager caller = NDManager.newBaseManager()) {
            NDArray ids = refs.load("text_encoder.input_ids", caller, DataType.INT64);
            ClipTextOutput out = model.forward(ids);
            NDArray embeds = model.encode(ids, 2);
            assertEquals(5, caller.getManagedArrays().size(),
                    "ids, last hidden state, pooled output, penultimate hidden state, embeds");
            assertEquals(caller, out.pooledOutput().getManager());
            assertEquals(caller, embeds.getManager());
        }
        assertEquals(weightArrays, manager.getManagedArrays().size(), "nothing left behind in the weights' manager");
    }

    @Test
    void checkpointsWithThePositionIdsBufferLoadToo() {
        try (SafetensorsFile file = SafetensorsFile.open(Fixtures.path("tiny-sd/text_encoder/model.safetensors"));
             NDManager m = manager.newSubManager()) {
            TensorSource withBuffer = new TensorSource() {
                public Set<String> keys() {
                    Set<String> keys = new HashSet<>(file.keys());
                    keys.add(ClipTextModel.POSITION_IDS);
                    return keys;
                }

                public TensorInfo info(String key) {
                    return key.equals(ClipTextModel.POSITION_IDS)
                            ? new TensorInfo(key, StoredDtype.I64, new long[] {1, 77}) : file.info(key);
                }

                public NDArray load(String key, NDManager into, DataType dtype) {
                    return file.load(key, into, dtype);
                }

                public String describe() {
                    return "tiny-sd text encoder + position_ids";
                }

                public void close() {
                }
            };
            Parameters params = new Parameters();
            new ClipTextModel(model.config(), params.root());
            WeightsException strict = assertThrows(WeightsException.class,
                    () -> params.load(withBuffer, m, DataType.FLOAT32, key -> false));
            assertTrue(strict.getMessage().contains(ClipTextModel.POSITION_IDS), strict.getMessage());
            params.load(withBuffer, m, DataType.FLOAT32, ClipTextModel::isBuffer);
            assertTrue(params.all().stream().allMatch(Parameter::isLoaded));
        }
    }
}
