package dev.ldmforge.runtime.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.random.TorchGenerator;
import dev.ldmforge.runtime.schedulers.Scheduler;
import dev.ldmforge.runtime.schedulers.SchedulerFactory;
import dev.ldmforge.runtime.schedulers.SchedulerOptionsException;
import dev.ldmforge.runtime.schedulers.StepOutput;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Text to image (and image to image) as diffusers' {@code StableDiffusionPipeline} computes it (for SDXL models
 * {@code StableDiffusionXLPipeline}: the model's {@link PromptEncoder} makes the conditioning): encode the prompts,
 * draw each image's noise from its own torch-compatible generator, denoise with the UNet on the doubled batch for
 * classifier-free guidance, decode with the VAE, round to 8-bit. Requests with the same shape parameters share UNet
 * calls, {@code batchSize} images at a time; an image never depends on what it was batched with beyond float
 * rounding (see {@link #generate}).
 */
public final class StableDiffusionPipeline {
    /**
     * One batch at a time per GPU: concurrent Spark tasks sharing a GPU take turns instead of thrashing its memory.
     * CPU batches run concurrently, each on its caller's intra-op threads (an executor sizes those per task slot).
     */
    private static final Map<String, ReentrantLock> DEVICE_LOCKS = new ConcurrentHashMap<>();

    private final StableDiffusion model;
    private final int batchSize;
    private final java.util.function.Supplier<StableDiffusion> float32Retry;

    public StableDiffusionPipeline(StableDiffusion model, int batchSize) {
        this(model, batchSize, null);
    }

    private StableDiffusionPipeline(StableDiffusion model, int batchSize,
                                    java.util.function.Supplier<StableDiffusion> float32Retry) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch_size must be at least 1, got " + batchSize);
        }
        this.model = model;
        this.batchSize = batchSize;
        this.float32Retry = float32Retry;
    }

    /**
     * This pipeline, but images that come out NaN or black (float16 overflow) are generated once more on the
     * float32 model {@code float32} supplies (loaded only if needed). The initial noise is drawn on the CPU in
     * float32 either way, so the retry starts from the same latents.
     */
    public StableDiffusionPipeline withFloat32Retry(java.util.function.Supplier<StableDiffusion> float32) {
        return new StableDiffusionPipeline(model, batchSize, float32);
    }

    public StableDiffusion model() {
        return model;
    }

    /** Requests that can share UNet calls: same size, schedule, guidance on/off and img2img start. */
    private record BatchKey(int width, int height, int steps, String scheduler, boolean cfg, Double strength,
                            String timestepSpacing, Boolean useKarrasSigmas) {
        static BatchKey of(GenerationRequest r) {
            return new BatchKey(r.width(), r.height(), r.numInferenceSteps(), r.scheduler(),
                    r.doClassifierFreeGuidance(), r.strength(), r.timestepSpacing(), r.useKarrasSigmas());
        }
    }

    /** The scheduler a request runs with; {@link SchedulerOptionsException} for options it cannot take. */
    public SchedulerFactory schedulerFor(GenerationRequest r) {
        return SchedulerFactory.of(model.schedulerConfig(), r.scheduler(), r.timestepSpacing(), r.useKarrasSigmas());
    }

    /** One image to make: which request, which of its images, and its generator seed. */
    private record Item(int requestIndex, GenerationRequest request, int imageIndex) {
        long seed() {
            return request.seed() + imageIndex;
        }
    }

    /**
     * Generates every image of every request, in request order then image order. Each image's initial noise (and
     * step noise for ancestral samplers) comes from its own generator seeded {@code seed + imageIndex}, so an image
     * is the same whatever it is batched with, up to float rounding of batched kernels.
     */
    public List<ImageOutput> generate(List<GenerationRequest> requests, ProgressListener progress) {
        Map<BatchKey, List<Item>> groups = new LinkedHashMap<>();
        for (int r = 0; r < requests.size(); r++) {
            GenerationRequest request = requests.get(r);
            checkLatents(request);
            schedulerFor(request);
            for (int i = 0; i < request.numImagesPerPrompt(); i++) {
                groups.computeIfAbsent(BatchKey.of(request), k -> new ArrayList<>()).add(new Item(r, request, i));
            }
        }
        ImageOutput[][] results = new ImageOutput[requests.size()][];
        for (int r = 0; r < requests.size(); r++) {
            results[r] = new ImageOutput[requests.get(r).numImagesPerPrompt()];
        }
        for (Map.Entry<BatchKey, List<Item>> group : groups.entrySet()) {
            List<Item> items = group.getValue();
            for (int from = 0; from < items.size(); from += batchSize) {
                List<Item> batch = items.subList(from, Math.min(items.size(), from + batchSize));
                for (ImageOutput out : runLocked(group.getKey(), batch, progress)) {
                    results[out.requestIndex()][out.imageIndex()] = out;
                }
            }
        }
        List<ImageOutput> flat = new ArrayList<>();
        for (ImageOutput[] perRequest : results) {
            flat.addAll(List.of(perRequest));
        }
        return float32Retry == null || model.dtype() == DataType.FLOAT32 ? flat : retryFailed(requests, flat, progress);
    }

    /** Regenerates the failed images, each as its own single-image request with its own seed, in float32. */
    private List<ImageOutput> retryFailed(List<GenerationRequest> requests, List<ImageOutput> outputs,
                                          ProgressListener progress) {
        List<ImageOutput> failed = outputs.stream().filter(o -> !o.ok()).toList();
        if (failed.isEmpty()) {
            return outputs;
        }
        List<GenerationRequest> again = new ArrayList<>();
        for (ImageOutput f : failed) {
            GenerationRequest r = requests.get(f.requestIndex());
            again.add(r.single(f.seed(), r.latents() == null ? null : r.latents().image(f.imageIndex())));
        }
        List<ImageOutput> retried = new StableDiffusionPipeline(float32Retry.get(), batchSize)
                .generate(again, progress);
        List<ImageOutput> merged = new ArrayList<>(outputs);
        for (int i = 0; i < failed.size(); i++) {
            ImageOutput f = failed.get(i);
            ImageOutput r = retried.get(i);
            merged.set(merged.indexOf(f), new ImageOutput(f.requestIndex(), f.imageIndex(), f.seed(), r.image(),
                    r.pixels(), r.timings(), r.failure()));
        }
        return merged;
    }

    /**
     * Refuses explicit latents that do not fit the request (shape, img2img); {@link #generate} checks this too, callers
     * use it to report bad input before any work starts.
     */
    public void checkLatents(GenerationRequest r) {
        if (r.latents() == null) {
            return;
        }
        long[] expected = latentShape(r.width(), r.height(), r.numImagesPerPrompt());
        if (!java.util.Arrays.equals(expected, r.latents().shape())) {
            throw new IllegalArgumentException("latents have shape " + java.util.Arrays.toString(r.latents().shape())
                    + " but " + r.numImagesPerPrompt() + " image(s) of " + r.width() + "x" + r.height() + " need "
                    + java.util.Arrays.toString(expected));
        }
        if (r.isImg2Img()) {
            throw new IllegalArgumentException("explicit latents cannot be combined with img2img");
        }
    }

    private long[] latentShape(int width, int height, int n) {
        int f = StableDiffusion.vaeScaleFactor(model.vae().config());
        return new long[] {n, model.unet().config().inChannels(), height / f, width / f};
    }

    private List<ImageOutput> runLocked(BatchKey key, List<Item> batch, ProgressListener progress) {
        String device = model.target().deviceName();
        ReentrantLock lock = device.equals("cpu") ? null : DEVICE_LOCKS.computeIfAbsent(device, d -> new ReentrantLock());
        if (lock != null) {
            lock.lock();
        }
        try (NDManager manager = model.weightsManager().newSubManager()) {
            return run(key, batch, progress, manager);
        } finally {
            if (lock != null) {
                lock.unlock();
            }
        }
    }

    private List<ImageOutput> run(BatchKey key, List<Item> batch, ProgressListener progress, NDManager m) {
        int n = batch.size();
        long t0 = System.nanoTime();
        Conditioning conditioning = model.promptEncoder().encode(batch.stream().map(Item::request).toList(),
                key.cfg(), m);
        long t1 = System.nanoTime();

        SchedulerFactory factory = SchedulerFactory.of(model.schedulerConfig(), key.scheduler(), key.timestepSpacing(),
                key.useKarrasSigmas());
        NDArray latents;
        try (Scheduler scheduler = factory.create()) {
            float[] timesteps = scheduler.setTimesteps(key.steps());
            int start = key.strength() == null ? 0 : Scheduler.img2imgStartIndex(key.steps(), key.strength());
            List<Deque<NDArray>> draws = drawNoise(batch, key, scheduler, timesteps.length, start, m);
            latents = key.strength() == null ? initialLatents(batch, draws, scheduler, m)
                    : noisedImageLatents(batch, draws, scheduler, start, m);
            NDArray guidance = m.create(guidanceScales(batch), new Shape(n, 1, 1, 1)).toType(model.dtype(), false);
            int total = timesteps.length - start;
            for (int k = start; k < timesteps.length; k++) {
                latents = denoiseStep(scheduler, k, timesteps[k], latents, conditioning, guidance, draws, key.cfg());
                progress.onStep(k - start + 1, total, n);
            }
        }
        long t2 = System.nanoTime();
        NDArray images = decode(latents);
        List<ImageOutput> outputs = toOutputs(batch, images);
        long t3 = System.nanoTime();
        StageTimings timings = new StageTimings(ms(t1 - t0) / n, ms(t2 - t1) / n, ms(t3 - t2) / n);
        List<ImageOutput> timed = new ArrayList<>(n);
        for (ImageOutput o : outputs) {
            timed.add(new ImageOutput(o.requestIndex(), o.imageIndex(), o.seed(), o.image(), o.pixels(), timings,
                    o.failure()));
        }
        return timed;
    }

    /**
     * Every random draw each image needs, from its own generator, in diffusers' order: the initial latents (unless
     * given), or for img2img the VAE posterior sample and the add_noise draw; then one draw per step that consumes
     * noise. Drawn up front under the generator lock, so concurrent batches never interleave.
     */
    private List<Deque<NDArray>> drawNoise(List<Item> batch, BatchKey key, Scheduler scheduler, int numTimesteps,
                                           int start, NDManager m) {
        long[] one = latentShape(key.width(), key.height(), 1);
        Shape shape = new Shape(one);
        List<Deque<NDArray>> perImage = new ArrayList<>(batch.size());
        for (Item item : batch) {
            List<Shape> shapes = new ArrayList<>();
            if (key.strength() != null) {
                shapes.add(shape);
                shapes.add(shape);
            } else if (item.request().latents() == null) {
                shapes.add(shape);
            }
            for (int k = start; k < numTimesteps; k++) {
                if (scheduler.drawsNoise(k)) {
                    shapes.add(shape);
                }
            }
            NDList drawn = TorchGenerator.randn(item.seed(), shapes, m);
            perImage.add(new ArrayDeque<>(drawn));
        }
        return perImage;
    }

    private NDArray initialLatents(List<Item> batch, List<Deque<NDArray>> draws, Scheduler scheduler, NDManager m) {
        NDList rows = new NDList(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Item item = batch.get(i);
            Latents given = item.request().latents();
            if (given != null) {
                Latents one = given.image(item.imageIndex());
                rows.add(m.create(one.values(), new Shape(one.shape())));
            } else {
                rows.add(draws.get(i).removeFirst());
            }
        }
        NDArray latents = NDArrays.concat(rows, 0).mul(scheduler.initNoiseSigma());
        rows.close();
        return latents.toType(model.dtype(), false);
    }

    /** img2img: encode the init images, sample the posterior, noise it to the first step's level. */
    private NDArray noisedImageLatents(List<Item> batch, List<Deque<NDArray>> draws, Scheduler scheduler, int start,
                                       NDManager m) {
        NDList images = new NDList(batch.size());
        NDList posteriorNoise = new NDList(batch.size());
        NDList addNoise = new NDList(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            images.add(initImageTensor(batch.get(i).request().initImage(), m));
            posteriorNoise.add(draws.get(i).removeFirst());
            addNoise.add(draws.get(i).removeFirst());
        }
        NDArray image = NDArrays.concat(images, 0).toType(model.vaeDtype(), false);
        NDArray init;
        try (var dist = model.vae().encode(image)) {
            init = dist.sample(NDArrays.concat(posteriorNoise, 0).toType(model.vaeDtype(), false))
                    .toType(model.dtype(), false).mul(model.vae().scalingFactor());
        }
        return scheduler.addNoise(init, NDArrays.concat(addNoise, 0).toType(model.dtype(), false), start);
    }

    /** uint8 RGB -> [1, 3, H, W] in [-1, 1], as diffusers' VaeImageProcessor (x / 255 * 2 - 1). */
    private static NDArray initImageTensor(RgbImage image, NDManager m) {
        byte[] px = image.pixels();
        float[] chw = new float[px.length];
        int hw = image.width() * image.height();
        for (int p = 0; p < hw; p++) {
            for (int c = 0; c < 3; c++) {
                chw[c * hw + p] = (px[3 * p + c] & 0xff) / 255f * 2f - 1f;
            }
        }
        return m.create(chw, new Shape(1, 3, image.height(), image.width()));
    }

    private static float[] guidanceScales(List<Item> batch) {
        float[] g = new float[batch.size()];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) batch.get(i).request().guidanceScale();
        }
        return g;
    }

    /** One UNet call on the doubled batch, guidance, one scheduler step; frees everything but the new latents. */
    private NDArray denoiseStep(Scheduler scheduler, int k, float t, NDArray latents, Conditioning conditioning,
                                NDArray guidance, List<Deque<NDArray>> draws, boolean cfg) {
        NDManager owner = latents.getManager();
        try (NDManager step = owner.newSubManager()) {
            latents.tempAttach(step);
            NDArray input = cfg ? NDArrays.concat(new NDList(latents, latents), 0) : latents;
            NDArray noisePred = model.unet().forward(scheduler.scaleModelInput(input, k), t,
                    conditioning.encoderHiddenStates(), conditioning.added());
            NDArray guided = noisePred;
            if (cfg) {
                NDList halves = noisePred.split(2, 0);
                guided = halves.get(0).add(halves.get(1).sub(halves.get(0)).mul(guidance));
            }
            StepOutput out = scheduler.step(guided, k, latents, () -> stepNoise(draws, owner));
            NDArray next = out.prevSample();
            next.attach(owner);
            return next;
        } finally {
            latents.close();
        }
    }

    private NDArray stepNoise(List<Deque<NDArray>> draws, NDManager m) {
        NDList rows = new NDList(draws.size());
        for (Deque<NDArray> d : draws) {
            rows.add(Objects.requireNonNull(d.pollFirst(), "scheduler drew more noise than announced"));
        }
        NDArray noise = NDArrays.concat(rows, 0).toType(model.dtype(), false);
        rows.close();
        return noise;
    }

    /**
     * latents -> images [N, H, W, 3] float32 in [0, 1], as diffusers' postprocess with output_type "np". One latent
     * at a time: the decoder's activations grow with the image (about 3 GB for one 768×768 image), so
     * decoding a whole batch at once would multiply the peak by the batch size for no gain in speed.
     */
    private NDArray decode(NDArray latents) {
        NDArray scaled = latents.toType(model.vaeDtype(), false).div(model.vae().scalingFactor());
        NDList images = new NDList();
        for (long i = 0; i < scaled.getShape().get(0); i++) {
            images.add(model.vae().decode(scaled.get(i + ":" + (i + 1))));
        }
        NDArray decoded = images.size() == 1 ? images.get(0) : NDArrays.concat(images);
        return decoded.div(2).add(0.5).clip(0, 1).transpose(0, 2, 3, 1).toType(DataType.FLOAT32, false);
    }

    private static List<ImageOutput> toOutputs(List<Item> batch, NDArray images) {
        Shape s = images.getShape();
        int h = (int) s.get(1);
        int w = (int) s.get(2);
        float[] all = images.toFloatArray();
        int per = h * w * 3;
        List<ImageOutput> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Item item = batch.get(i);
            float[] pixels = java.util.Arrays.copyOfRange(all, i * per, (i + 1) * per);
            GenerationFailure failure = check(pixels);
            out.add(new ImageOutput(item.requestIndex(), item.imageIndex(), item.seed(),
                    failure == null ? new RgbImage(w, h, toBytes(pixels)) : null, failure == null ? pixels : null,
                    null, failure));
        }
        return out;
    }

    /** numpy_to_pil: (images * 255).round().astype("uint8"), round half to even, in float32 as numpy does. */
    static byte[] toBytes(float[] pixels) {
        byte[] rgb = new byte[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            rgb[i] = (byte) (int) Math.rint(pixels[i] * 255f);
        }
        return rgb;
    }

    /** NaN/inf (float16 overflow) or an all-black image is a failure, never a silently wrong picture. */
    private static GenerationFailure check(float[] pixels) {
        boolean black = true;
        for (float v : pixels) {
            if (!Float.isFinite(v)) {
                return new GenerationFailure("NAN_IMAGE", "the decoded image contains NaN or infinite values");
            }
            black &= v * 255f < 0.5f;
        }
        return black ? new GenerationFailure("BLACK_IMAGE", "the decoded image is entirely black") : null;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
