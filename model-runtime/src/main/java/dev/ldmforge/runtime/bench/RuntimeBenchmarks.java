package dev.ldmforge.runtime.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.nn.Conv2d;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.pipeline.GenerationRequest;
import dev.ldmforge.runtime.pipeline.LoadOptions;
import dev.ldmforge.runtime.pipeline.ProgressListener;
import dev.ldmforge.runtime.pipeline.StableDiffusion;
import dev.ldmforge.runtime.pipeline.StableDiffusionPipeline;
import dev.ldmforge.runtime.textencoder.ClipTextConfig;
import dev.ldmforge.runtime.textencoder.ClipTextModel;
import dev.ldmforge.runtime.unet.UNet2DConditionConfig;
import dev.ldmforge.runtime.unet.UNet2DConditionModel;
import dev.ldmforge.runtime.vae.AutoencoderKL;
import dev.ldmforge.runtime.vae.AutoencoderKLConfig;

import java.util.List;

/**
 * The benchmarks of the model runtime, float32 on CPU: the roofline kernels ({@code matmul}, {@code conv}), one call
 * of each real-size network built from its published config with random weights (cost does not depend on the
 * values), the tiny model end to end through the pipeline, and loading an SD 1.5 UNet ({@link LoadBenchmark}).
 * Networks are built when first needed and kept while consecutive benchmarks use them.
 */
public final class RuntimeBenchmarks implements AutoCloseable {
    static final String DTYPE = "float32";
    private static final int TEXT_TOKENS = UNetInputs.TEXT_TOKENS;
    private static final long SEED = 1234;

    private final NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
    private String builtKey;
    private NDManager built;
    private Object network;
    private Parameters builtParameters;

    /** libtorch's intra-op threads for everything that follows (default: one per logical CPU). */
    public static void setThreads(int threads) {
        Engine.getEngine("PyTorch");
        ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
    }

    public List<Benchmark> list() {
        List<Benchmark> all = new java.util.ArrayList<>(core());
        all.addAll(FewStepBenchmarks.list());
        return List.copyOf(all);
    }

    private List<Benchmark> core() {
        return List.of(
                new Benchmark("matmul", true, this::matmul),
                new Benchmark("conv", true, this::conv),
                new Benchmark("unet-sd15-64x64-b2", true, runs -> unet(ReferenceConfigs.SD15, 64, 2, runs)),
                new Benchmark("unet-sd15-64x64-b1", false, runs -> unet(ReferenceConfigs.SD15, 64, 1, runs)),
                new Benchmark("load-sd15-unet", false, runs -> LoadBenchmark.run(unetParameters(ReferenceConfigs.SD15),
                        runs)),
                new Benchmark("unet-sd21-64x64-b2", false, runs -> unet(ReferenceConfigs.SD21_BASE, 64, 2, runs)),
                new Benchmark("unet-sd21-96x96-b2", false, runs -> withPeakMemory(
                        unet(ReferenceConfigs.SD21_BASE, 96, 2, runs),
                        new MemoryProbe.Call(ReferenceConfigs.SD21_BASE, "unet", 96, 2))),
                new Benchmark("text-encoder-sd15", false, this::textEncoder),
                new Benchmark("vae-decode-sd15-64x64", false, runs -> vaeDecode(ReferenceConfigs.SD15, 64, runs)),
                new Benchmark("vae-decode-sd21-96x96", false, runs -> withPeakMemory(
                        vaeDecode(ReferenceConfigs.SD21_BASE, 96, runs),
                        new MemoryProbe.Call(ReferenceConfigs.SD21_BASE, "vae", 96, 1))),
                // SDXL base at 1024x1024: 10.3 GB of float32 UNet weights, about 20 GB with the peak: not in --quick
                new Benchmark("unet-sdxl-128x128-b2", false, runs -> withPeakMemory(
                        unet(ReferenceConfigs.SDXL_BASE, 128, 2, runs),
                        new MemoryProbe.Call(ReferenceConfigs.SDXL_BASE, "unet", 128, 2))),
                new Benchmark("vae-decode-sdxl-128x128", false, runs -> withPeakMemory(
                        vaeDecode(ReferenceConfigs.SDXL_BASE, 128, runs),
                        new MemoryProbe.Call(ReferenceConfigs.SDXL_BASE, "vae", 128, 1))),
                new Benchmark("pipeline-tiny", true, this::pipelineTiny));
    }

    /** 4096×2048 · 2048×2048, the roofline: what the engine's GEMM reaches on this machine with these threads. */
    private BenchResult matmul(int runs) {
        try (NDManager m = manager.newSubManager()) {
            NDArray a = m.randomUniform(-1, 1, new Shape(4096, 2048));
            NDArray b = m.randomUniform(-1, 1, new Shape(2048, 2048));
            Timing t = Timing.measure(2, runs, () -> a.matMul(b).close());
            return BenchResult.compute("matmul", DTYPE, t, 2.0 * 4096 * 2048 * 2048, "[4096,2048]·[2048,2048]");
        }
    }

    /** The UNet's most common convolution: 320→320, 3×3, on [2, 320, 64, 64]. */
    private BenchResult conv(int runs) {
        try (NDManager m = manager.newSubManager()) {
            Parameters p = new Parameters();
            Conv2d conv = Conv2d.same(p.root().child("conv"), 320, 320, 3);
            p.initRandom(m, DataType.FLOAT32, SEED, Parameters.Initializer.pytorchLike());
            NDArray x = m.randomUniform(-1, 1, new Shape(2, 320, 64, 64));
            Timing t = Timing.measure(2, runs, () -> conv.forward(x).close());
            return BenchResult.compute("conv", DTYPE, t, 2.0 * 320 * 9 * 320 * 64 * 64 * 2,
                    "Conv2d 320->320 3x3 on [2,320,64,64]");
        }
    }

    /**
     * One UNet step (a scheduler step's model call): batch 2 is one image with classifier-free guidance; an SDXL
     * UNet also gets the pooled text embeddings and time ids.
     */
    BenchResult unet(String model, int size, int batch, int runs) {
        UNet2DConditionModel unet = network("unet", model, (config, params) -> new UNet2DConditionModel(
                UNet2DConditionConfig.from(config), params));
        UNet2DConditionConfig c = unet.config();
        try (NDManager m = manager.newSubManager()) {
            Engine.getInstance().setRandomSeed((int) SEED);
            int pixels = size * 8;
            UNetInputs in = UNetInputs.random(c, batch, size, pixels, m);
            Timing t = Timing.measure(1, runs, () -> unet.forward(in.sample(), 500f, in.text(), in.added()).close());
            return BenchResult.compute("unet-" + ReferenceConfigs.shortName(model) + "-" + size + "x" + size + "-b"
                            + batch, DTYPE, t, NetworkFlops.unet(c, batch, size, size, TEXT_TOKENS),
                    model + " UNet2DConditionModel, latents [" + batch + ",4," + size + "," + size + "], "
                            + TEXT_TOKENS + " text tokens" + (in.added() == null ? ""
                            : ", text_embeds and time_ids of a " + pixels + "x" + pixels + " image"));
        }
    }

    private BenchResult textEncoder(int runs) {
        ClipTextModel text = network("text_encoder", ReferenceConfigs.SD15,
                (config, params) -> new ClipTextModel(ClipTextConfig.from(config), params.root()));
        try (NDManager m = manager.newSubManager()) {
            long[] ids = new long[TEXT_TOKENS];
            java.util.Arrays.setAll(ids, i -> i % 1000);
            NDArray input = m.create(ids, new Shape(1, TEXT_TOKENS));
            Timing t = Timing.measure(1, runs, () -> {
                try (NDManager call = m.newSubManager()) {
                    input.tempAttach(call);
                    text.forward(input);
                }
            });
            return BenchResult.compute("text-encoder-sd15", DTYPE, t,
                    NetworkFlops.textEncoder(text.config(), 1, TEXT_TOKENS),
                    "sd15 CLIPTextModel, [1," + TEXT_TOKENS + "] token ids");
        }
    }

    BenchResult vaeDecode(String model, int size, int runs) {
        AutoencoderKL vae = network("vae", model,
                (config, params) -> new AutoencoderKL(AutoencoderKLConfig.from(config), params));
        try (NDManager m = manager.newSubManager()) {
            NDArray latents = m.randomNormal(new Shape(1, vae.config().latentChannels(), size, size));
            Timing t = Timing.measure(1, runs, () -> vae.decode(latents).close());
            int pixels = size << (vae.config().blockOutChannels().length - 1);
            return BenchResult.compute("vae-decode-" + ReferenceConfigs.shortName(model) + "-" + size + "x" + size, DTYPE, t,
                    NetworkFlops.vaeDecoder(vae.config(), 1, size, size), model + " AutoencoderKL.decode, latents [1,4,"
                            + size + "," + size + "] -> image [1,3," + pixels + "," + pixels + "]");
        }
    }

    /**
     * {@code result} with {@code peak_mib_above_weights}: the peak resident memory of one such call above the
     * network's weights, from {@link MemoryProbe} (a fresh JVM, so memory freed by the timed calls cannot hide it).
     * This JVM's network is freed first: the child builds its own (SDXL's UNet twice would not fit in 24 GB).
     */
    BenchResult withPeakMemory(BenchResult result, MemoryProbe.Call call) {
        closeNetwork();
        releaseDirectBuffers();
        return result.withExtra("peak_mib_above_weights", Math.round(MemoryProbe.peakMibAboveWeights(call)));
    }

    /** The tiny model through the whole pipeline, as reference-timings.json's "tiny" measures diffusers. */
    private BenchResult pipelineTiny(int runs) {
        try (StableDiffusion tiny = StableDiffusion.load("tiny", LoadOptions.cpu())) {
            StableDiffusionPipeline pipeline = new StableDiffusionPipeline(tiny, 1);
            List<GenerationRequest> request = List.of(tinyRequest());
            Timing t = Timing.measure(1, runs, () -> pipeline.generate(request, ProgressListener.NONE));
            return BenchResult.compute("pipeline-tiny", DTYPE, t, Double.NaN, tinyWorkload())
                    .withImagesPerS(1000 / t.medianMs());
        }
    }

    /** The image the tiny end-to-end benchmarks make (the batch job's benchmark uses the same). */
    public static GenerationRequest tinyRequest() {
        return new GenerationRequest("a red circle on a blue background", "blurry", 8, 7.5, 64, 64, SEED, 1, "ddim",
                null, null, null);
    }

    public static String tinyWorkload() {
        return "tiny model, 64x64, DDIM 8 steps, guidance 7.5 with negative prompt (text encoder x2, 8 UNet calls at "
                + "batch 2, VAE decode)";
    }

    private Parameters unetParameters(String model) {
        network("unet", model, (config, params) -> new UNet2DConditionModel(UNet2DConditionConfig.from(config),
                params));
        return builtParameters;
    }

    @FunctionalInterface
    private interface Builder<T> {
        T build(dev.ldmforge.runtime.config.JsonConfig config, Parameters parameters);
    }

    /** The network of {@code component} of {@code model} with random weights, reusing the last one built. */
    @SuppressWarnings("unchecked")
    private <T> T network(String component, String model, Builder<T> builder) {
        String key = model + "/" + component;
        if (!key.equals(builtKey)) {
            closeNetwork();
            Parameters params = new Parameters();
            T value = builder.build(ReferenceConfigs.config(model, component), params);
            built = manager.newSubManager();
            params.initRandom(built, DataType.FLOAT32, SEED, Parameters.Initializer.pytorchLike());
            builtKey = key;
            builtParameters = params;
            network = value;
        }
        return (T) network;
    }

    /**
     * Random weights live in direct buffers that their arrays reference; closing the arrays leaves the buffers to the
     * garbage collector, which a small heap may not run for minutes. SDXL's 10.3 GB of them must be gone before the
     * probe's child builds its own copy, or the two do not fit in 24 GB.
     */
    private static void releaseDirectBuffers() {
        java.lang.management.BufferPoolMXBean direct = java.lang.management.ManagementFactory
                .getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        for (int i = 0; i < 20 && direct.getMemoryUsed() > 256L << 20; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void closeNetwork() {
        if (built != null) {
            built.close();
        }
        built = null;
        builtKey = null;
        network = null;
        builtParameters = null;
    }

    @Override
    public void close() {
        closeNetwork();
        manager.close();
    }
}
