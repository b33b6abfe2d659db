package dev.ldmforge.runtime.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.weights.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline against diffusers 0.25.1 (fixtures README: image atol 2e-4; PNG ±1 on ≤ 0.1 % of values),
 * from the saved initial latents and from the seed alone (the fixtures drew them with seed 104).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineParityTest {
    static final String PROMPT = "a red circle on a blue background";
    static final double IMAGE_ATOL = 2e-4;

    private StableDiffusion model;
    private StableDiffusionPipeline pipeline;
    private SafetensorsFile refs;
    private NDManager manager;

    @BeforeAll
    void load() {
        model = StableDiffusion.load(Fixtures.path("tiny-sd").toString(), LoadOptions.cpu());
        pipeline = new StableDiffusionPipeline(model, 4);
        refs = SafetensorsFile.open(Fixtures.path("refs/tiny-sd-refs.safetensors"));
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    void close() {
        manager.close();
        refs.close();
        model.close();
    }

    private float[] ref(String name) {
        try (NDArray a = refs.load(name, manager, DataType.FLOAT32)) {
            return a.toFloatArray();
        }
    }

    private Latents initialLatents() {
        return new Latents(new long[] {1, 4, 32, 32}, ref("pipeline.initial_latents"));
    }

    static double maxAbsDiff(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs((double) expected[i] - actual[i]));
        }
        return max;
    }

    static GenerationRequest request(String scheduler, long seed, Latents latents) {
        return new GenerationRequest(PROMPT, "blurry", 8, 7.5, 64, 64, seed, 1, scheduler, null, null, latents);
    }

    @ParameterizedTest
    @CsvSource({"ddim, ddim", "euler, euler", "dpmpp-2m, dpmpp2m"})
    void txt2imgFromSavedLatentsMatchesDiffusers(String scheduler, String fixture) throws IOException {
        ImageOutput out = pipeline.generate(List.of(request(scheduler, 0, initialLatents())), ProgressListener.NONE)
                .get(0);
        assertTrue(out.ok(), String.valueOf(out.failure()));
        double diff = maxAbsDiff(ref("pipeline." + fixture + ".image"), out.pixels());
        assertTrue(diff <= IMAGE_ATOL, scheduler + ": image max |diff| " + diff);
        assertPngMatches(Fixtures.path("refs/tiny-sd-" + fixture + ".png"), out.image());
    }

    @Test
    void seedAloneReproducesTheFixtureLatents() {
        ImageOutput fromSeed = pipeline.generate(List.of(request("ddim", 104, null)), ProgressListener.NONE).get(0);
        double diff = maxAbsDiff(ref("pipeline.ddim.image"), fromSeed.pixels());
        assertTrue(diff <= IMAGE_ATOL, "seed 104 image max |diff| " + diff);
    }

    @Test
    void img2imgMatchesDiffusers() throws IOException {
        RgbImage init = readPng(Fixtures.path("refs/tiny-sd-img2img-init.png"));
        GenerationRequest r = new GenerationRequest(PROMPT, "blurry", 8, 7.5, 64, 64, 105, 1, "ddim", 0.6, init,
                null);
        ImageOutput out = pipeline.generate(List.of(r), ProgressListener.NONE).get(0);
        double diff = maxAbsDiff(ref("img2img.image"), out.pixels());
        assertTrue(diff <= IMAGE_ATOL, "img2img image max |diff| " + diff);
        assertPngMatches(Fixtures.path("refs/tiny-sd-img2img.png"), out.image());
    }

    static RgbImage readPng(Path path) throws IOException {
        BufferedImage img = ImageIO.read(path.toFile());
        byte[] rgb = new byte[img.getWidth() * img.getHeight() * 3];
        int i = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                rgb[i++] = (byte) (p >> 16);
                rgb[i++] = (byte) (p >> 8);
                rgb[i++] = (byte) p;
            }
        }
        return new RgbImage(img.getWidth(), img.getHeight(), rgb);
    }

    /** PNG / round(image*255): ±1 on at most 0.1 % of values. */
    static void assertPngMatches(Path expectedPng, RgbImage actual) throws IOException {
        RgbImage expected = readPng(expectedPng);
        int off = 0;
        for (int i = 0; i < expected.pixels().length; i++) {
            int d = Math.abs((expected.pixels()[i] & 0xff) - (actual.pixels()[i] & 0xff));
            assertTrue(d <= 1, "8-bit value " + i + " differs by " + d);
            off += d;
        }
        assertTrue(off <= expected.pixels().length / 1000, off + " values off by one");
    }
}
