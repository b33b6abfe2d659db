package dev.ldmforge.runtime.weights;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.testing.Manifests;
import dev.ldmforge.runtime.testing.SdxlOriginalLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SDXL single files (sgm layout: conditioner.embedders.0 = CLIP ViT-L, .1 = OpenCLIP bigG): the real SDXL base's
 * keys (the manifest's, written in the original layout by {@link SdxlOriginalLayout}) give the published configs
 * from their shapes alone and map back to exactly the diffusers keys and shapes; a single file written from
 * tiny-sdxl's weights maps onto the folder's tensors exactly, with the folder's configs ({@code --config}).
 */
class SdxlSingleFileTest {
    private static final List<String> NETWORKS = List.of("unet", "vae", "text_encoder", "text_encoder_2");
    private static final Map<String, PipelineComponent> COMPONENTS = Map.of("unet", PipelineComponent.UNET,
            "vae", PipelineComponent.VAE, "text_encoder", PipelineComponent.TEXT_ENCODER,
            "text_encoder_2", PipelineComponent.TEXT_ENCODER_2);

    @TempDir
    Path dir;

    @Test
    void sdxlBaseOriginalNamesGiveThePublishedConfigsAndMapBack() {
        JsonNode unet = Manifests.component("sdxl-base", "unet");
        SdxlOriginalLayout layout = new SdxlOriginalLayout(Manifests.config(unet, "unet"),
                Manifests.config(Manifests.component("sdxl-base", "vae"), "vae"));
        Map<String, TensorInfo> originals = new LinkedHashMap<>();
        Map<String, Map<String, String>> diffusers = new TreeMap<>();
        for (String network : NETWORKS) {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            Map<String, String> expected = new TreeMap<>();
            for (JsonNode e : Manifests.component("sdxl-base", network).get("state_dict")) {
                long[] shape = new long[e.get("shape").size()];
                Arrays.setAll(shape, i -> e.get("shape").get(i).asLong());
                shapes.put(e.get("key").asText(), shape);
                expected.put(e.get("key").asText(), Arrays.toString(shape));
            }
            diffusers.put(network, expected);
            layout.originals(network, shapes).values().forEach(o -> originals.put(o.key(),
                    new TensorInfo(o.key(), StoredDtype.F32, o.shape())));
        }
        assertEquals(ModelFamily.SDXL, ModelFamily.detect(originals.keySet(), "sdxl-base"));
        CheckpointShapes shapes = new CheckpointShapes(originals, "sdxl-base");
        Map<String, JsonConfig> inferred = Map.of(
                "unet", shapes.unet(ModelFamily.SDXL).toConfig("inferred unet"),
                "vae", shapes.vae(ModelFamily.SDXL).toConfig("inferred vae"),
                "text_encoder", shapes.textEncoder(ModelFamily.SDXL, null).toConfig("inferred text_encoder"),
                "text_encoder_2", shapes.textEncoder2(null).toConfig("inferred text_encoder_2"));
        for (String network : NETWORKS) {
            JsonConfig saved = Manifests.config(Manifests.component("sdxl-base", network), network);
            // the published UNet config says upcast_attention null, which diffusers reads as false
            ConfigAssert.derivedMatchesSaved(inferred.get(network), saved, Map.of(), "upcast_attention");
        }
        Map<String, OriginalKeyMapper> mappers = Map.of(
                "unet", UNetKeyMap.forConfig(inferred.get("unet")),
                "vae", VaeKeyMap.forConfig(inferred.get("vae")),
                "text_encoder", ClipTextKeyMap.create(ClipTextKeyMap.SDXL_ROOT),
                "text_encoder_2", OpenClipTextKeyMap.create(OpenClipTextKeyMap.SDXL_ROOT, 32, true));
        for (String network : NETWORKS) {
            Map<String, String> mapped = new TreeMap<>();
            mappers.get(network).map(originals, network).forEach((k, m) -> mapped.put(k,
                    Arrays.toString(m.info().shape())));
            assertEquals(diffusers.get(network), mapped, network);
        }
        assertEquals(1680, diffusers.get("unet").size());
    }

    @Test
    void tinySdxlSingleFileMapsOntoTheFolderExactly() {
        Path tiny = Fixtures.path("tiny-sdxl");
        Path file = dir.resolve("tiny-sdxl.safetensors");
        SdxlOriginalLayout.writeSingleFile(tiny, file);
        CheckpointOptions options = CheckpointOptions.defaults().withConfigFolder(tiny);
        try (SingleFileCheckpoint single = SingleFileCheckpoint.open(file, options);
             DiffusersFolder folder = DiffusersFolder.open(tiny, null);
             NDManager m = NDManager.newBaseManager()) {
            assertEquals(ModelFamily.SDXL, single.family());
            assertEquals(PipelineType.STABLE_DIFFUSION_XL, single.type());
            assertEquals(Set.of(), single.ignoredKeys());
            assertEquals(tiny.resolve("tokenizer_2"), single.tokenizer2Directory().orElseThrow());
            int mapped = 0;
            for (String network : NETWORKS) {
                TensorSource actual = single.weights(COMPONENTS.get(network));
                TensorSource expected = folder.weights(COMPONENTS.get(network));
                assertEquals(new HashSet<>(expected.keys()), new HashSet<>(actual.keys()), network + " key set");
                for (String key : expected.keys()) {
                    assertArrayEquals(expected.info(key).shape(), actual.info(key).shape(), key);
                    assertArrayEquals(expected.load(key, m, DataType.FLOAT32).toFloatArray(),
                            actual.load(key, m, DataType.FLOAT32).toFloatArray(), key);
                    mapped++;
                }
            }
            assertEquals(428 + 124 + 36 + 37, mapped);
        }
        // 32-channel levels give no head count: without the configs the file cannot be described
        WeightsException e = assertThrows(WeightsException.class,
                () -> SingleFileCheckpoint.open(file, CheckpointOptions.defaults()));
        assertTrue(e.getMessage().contains("--config DIR"), e.getMessage());
        WeightsException sd = assertThrows(WeightsException.class, () -> SingleFileCheckpoint.open(
                Fixtures.path("tiny-sd-original.safetensors"), options));
        assertTrue(sd.getMessage().contains("the weights are SD1 but"), sd.getMessage());
    }
}
