package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.executor.ExecutorPipelines;
import dev.ldmforge.jobs.executor.ExecutorThreads;
import dev.ldmforge.jobs.images.ImageText;
import dev.ldmforge.jobs.output.OutputFormat;
import dev.ldmforge.jobs.output.OutputSettings;
import dev.ldmforge.jobs.storage.ObjectStore;
import dev.ldmforge.jobs.storage.ObjectStores;
import dev.ldmforge.jobs.storage.Sha256;
import dev.ldmforge.runtime.pipeline.GenerationRequest;
import dev.ldmforge.runtime.pipeline.ImageOutput;
import dev.ldmforge.runtime.pipeline.ModelInfo;
import dev.ldmforge.runtime.pipeline.ProgressListener;
import dev.ldmforge.runtime.pipeline.RgbImage;
import dev.ldmforge.runtime.pipeline.StableDiffusion;
import dev.ldmforge.runtime.pipeline.StableDiffusionPipeline;
import dev.ldmforge.runtime.schedulers.SchedulerFactory;
import dev.ldmforge.runtime.schedulers.SchedulerOptionsException;
import dev.ldmforge.schemas.DeadLetter;
import dev.ldmforge.schemas.ErrorCode;
import dev.ldmforge.schemas.GeneratedImage;
import dev.ldmforge.schemas.ImageStatus;
import dev.ldmforge.schemas.PromptRequest;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The generation stage, run by each task over its partition of planned requests: images that already exist in the
 * store become metadata rows without regenerating; the rest are generated in micro-batches on the executor's
 * cached pipeline, written with conditional puts, and described by metadata rows. Anything that fails for one
 * request (NaN image, unreadable init image, storage errors after retries) becomes that request's dead letter and
 * the task goes on; only a model that cannot load fails the task.
 */
final class ImageTask implements MapPartitionsFunction<Row, Row> {
    private final JobOptions options;
    private final LongAccumulator imagesDone;
    private final boolean inline;
    private final boolean injectFault;

    ImageTask(JobOptions options, LongAccumulator imagesDone) {
        this(options, imagesDone, options.outputs().outputFormat() != OutputFormat.FILES, options.failFirstAttempt());
    }

    /**
     * @param inline      images travel in the rows ({@link StagedOutput#BYTES}) instead of loose objects
     * @param injectFault {@link JobOptions#failFirstAttempt} here; a caller that injects its own passes false
     */
    ImageTask(JobOptions options, LongAccumulator imagesDone, boolean inline, boolean injectFault) {
        this.options = options;
        this.imagesDone = imagesDone;
        this.inline = inline;
        this.injectFault = injectFault;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        TaskContext ctx = TaskContext.get();
        ExecutorThreads.configureOnce(SparkEnv.get().conf());
        String device = assignedGpu(ctx).orElse(options.device());
        ObjectStore store = ObjectStores.open(options.output(), options.s3());
        ImageWriter writer = new ImageWriter();
        ctx.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) c -> {
            writer.close();
            store.close();
        });
        Worker worker = new Worker(ctx, device, store, writer);
        int chunk = Math.max(8, options.batchSize() * 4);
        return new Iterator<>() {
            private Iterator<Row> current = List.<Row>of().iterator();
            /** The previous chunk, whose images are written while the next one is generated. */
            private Supplier<List<Row>> writing;

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && (input.hasNext() || writing != null)) {
                    Supplier<List<Row>> next = null;
                    if (input.hasNext()) {
                        List<PlannedRequest> requests = new ArrayList<>(chunk);
                        while (input.hasNext() && requests.size() < chunk) {
                            requests.add(PlannedRequest.fromRow(input.next()));
                        }
                        next = worker.process(requests);
                    }
                    if (writing != null) {
                        current = writing.get().iterator();
                    }
                    writing = next;
                }
                return current.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    /** The GPU Spark assigned to this task ({@code spark.task.resource.gpu.amount}), as a device name. */
    private static Optional<String> assignedGpu(TaskContext ctx) {
        ResourceInformation gpu = ctx.resources().get("gpu").getOrElse(() -> null);
        return gpu == null || gpu.addresses().length == 0 ? Optional.empty() : Optional.of("gpu:" + gpu.addresses()[0]);
    }

    /** One task's state: its device, store and identity for metadata rows. */
    private final class Worker {
        private final TaskContext ctx;
        private final String device;
        private final ObjectStore store;
        private final ImageWriter writer;
        private final String host = hostName();
        private final String executorId = SparkEnv.get().executorId();
        private int written;

        Worker(TaskContext ctx, String device, ObjectStore store, ImageWriter writer) {
            this.ctx = ctx;
            this.device = device;
            this.store = store;
            this.writer = writer;
        }

        /** A lease on the model a declared name stands for, loaded from its pinned location. */
        private ExecutorPipelines.Lease lease(String name, String dtype) {
            return ExecutorPipelines.lease(options.location(name), device, dtype, options.attentionChunk(),
                    options.s3(), Path.of(options.modelCacheDir()), options.hub(), options.maxLoadedModels());
        }

        /** Generates the chunk's images and queues their writes; the supplier waits for those and gives the rows. */
        Supplier<List<Row>> process(List<PlannedRequest> requests) {
            List<Row> out = new ArrayList<>();
            List<Future<Stored>> writes = new ArrayList<>();
            Map<String, List<Work>> byModel = new LinkedHashMap<>();
            Map<String, DeadLetter> dead = new LinkedHashMap<>();
            for (PlannedRequest planned : requests) {
                PromptRequest r = planned.request();
                String modelName = options.models().nameFor(r.model());
                // The trust boundary, before any filesystem or network access on the request's word.
                if (!options.models().declares(modelName)) {
                    dead.put(r.requestId(), deadLetter(planned, ErrorCode.UNKNOWN_MODEL, "model: "
                            + shown(modelName) + " is not a model this job declares ("
                            + String.join(", ", options.models().locations().keySet())
                            + "; see --model and --extra-model)"));
                    continue;
                }
                RgbImage init = null;
                if (r.initImageUri() != null) {
                    Optional<String> refused = options.initImages().refusal(r.initImageUri());
                    if (refused.isPresent()) {
                        dead.put(r.requestId(), deadLetter(planned, ErrorCode.INIT_IMAGE_NOT_ALLOWED, refused.get()));
                        continue;
                    }
                    try {
                        init = InitImages.read(r.initImageUri(), r.width(), r.height(), options.s3(),
                                options.maxInitImageBytes());
                    } catch (RuntimeException e) {
                        dead.put(r.requestId(), deadLetter(planned, ErrorCode.INVALID_INIT_IMAGE, e.getMessage()));
                        continue;
                    }
                }
                for (int index : planned.pending()) {
                    String key = ImageKeys.of(r.requestId(), index, options.outputs().imageFormat());
                    Optional<String> existing = inline ? Optional.empty() : store.sha256(key);
                    if (existing.isPresent()) {
                        // Written by an earlier attempt or run whose metadata never landed: describe, never redo.
                        out.add(StagedOutput.image(metadata(planned, index, store.uri(key), existing.get(),
                                ImageStatus.EXISTING, null, 0, 0, defaultInfo(r), null)));
                        continue;
                    }
                    byModel.computeIfAbsent(modelName, m -> new ArrayList<>()).add(new Work(planned, index, init));
                }
            }
            for (Map.Entry<String, List<Work>> e : byModel.entrySet()) {
                generate(e.getKey(), e.getValue(), dead, writes);
            }
            return () -> {
                for (Future<Stored> write : writes) {
                    Stored s = ImageWriter.await(write);
                    if (s.row() != null) {
                        out.add(s.row());
                    } else {
                        dead.putIfAbsent(s.deadLetter().requestId(), s.deadLetter());
                    }
                }
                dead.values().forEach(d -> out.add(StagedOutput.deadLetter(d)));
                return out;
            };
        }

        private ModelInfo defaultInfo(PromptRequest r) {
            try (ExecutorPipelines.Lease lease = lease(options.models().nameFor(r.model()), options.dtype())) {
                return lease.model().info();
            }
        }

        private void generate(String modelName, List<Work> work, Map<String, DeadLetter> dead,
                              List<Future<Stored>> writes) {
            ExecutorPipelines.Lease lease;
            try {
                lease = lease(modelName, options.dtype());
            } catch (RuntimeException e) {
                if (modelName.equals(options.model())) {
                    throw e; // the job's own model: systemic
                }
                for (Work w : work) {
                    dead.putIfAbsent(w.planned().request().requestId(), deadLetter(w.planned(), ErrorCode.UNKNOWN_MODEL,
                            "model: " + modelName + " cannot be loaded: " + e.getMessage()));
                }
                return;
            }
            List<ExecutorPipelines.Lease> retries = new ArrayList<>();
            try {
                generate(lease.model(), modelName, work, dead, writes, retries);
            } finally {
                lease.close();
                retries.forEach(ExecutorPipelines.Lease::close);
            }
        }

        private void generate(StableDiffusion model, String modelName, List<Work> work, Map<String, DeadLetter> dead,
                              List<Future<Stored>> writes, List<ExecutorPipelines.Lease> retries) {
            StableDiffusionPipeline pipeline = new StableDiffusionPipeline(model, options.batchSize());
            if (options.retryFloat32()) {
                pipeline = pipeline.withFloat32Retry(() -> {
                    ExecutorPipelines.Lease retry = lease(modelName, "float32");
                    retries.add(retry);
                    return retry.model();
                });
            }
            // options the scheduler cannot take are the request's fault: a dead letter, before any UNet call
            List<Work> runnable = new ArrayList<>();
            Map<Work, SchedulerFactory> schedulers = new java.util.IdentityHashMap<>();
            for (Work w : work) {
                try {
                    schedulers.put(w, pipeline.schedulerFor(w.toGenerationRequest()));
                    runnable.add(w);
                } catch (SchedulerOptionsException e) {
                    dead.putIfAbsent(w.planned().request().requestId(), deadLetter(w.planned(),
                            ErrorCode.INVALID_SCHEDULER_OPTIONS, e.getMessage()));
                }
            }
            work = runnable;
            List<ImageOutput> results = generateIsolatingFailures(pipeline, work, dead);
            for (int i = 0; i < work.size(); i++) {
                ImageOutput image = results.get(i);
                Work w = work.get(i);
                if (image == null) {
                    continue;
                }
                if (!image.ok()) {
                    dead.putIfAbsent(w.planned().request().requestId(), deadLetter(w.planned(),
                            ErrorCode.valueOf(image.failure().code()), "image " + w.index() + ": "
                                    + image.failure().message()));
                    continue;
                }
                ModelInfo info = model.info();
                SchedulerFactory scheduler = schedulers.get(w);
                writes.add(writer.submit(() -> store(w, image, info, scheduler)));
            }
        }

        /** One call for the chunk; if it throws, each request alone, so one bad request cannot sink the others. */
        private List<ImageOutput> generateIsolatingFailures(StableDiffusionPipeline pipeline, List<Work> work,
                                                            Map<String, DeadLetter> dead) {
            List<GenerationRequest> requests = work.stream().map(Work::toGenerationRequest).toList();
            try {
                return pipeline.generate(requests, ProgressListener.NONE);
            } catch (RuntimeException batchFailure) {
                List<ImageOutput> results = new ArrayList<>();
                for (Work w : work) {
                    try {
                        results.add(pipeline.generate(List.of(w.toGenerationRequest()), ProgressListener.NONE).get(0));
                    } catch (RuntimeException e) {
                        results.add(null);
                        dead.putIfAbsent(w.planned().request().requestId(), deadLetter(w.planned(),
                                ErrorCode.GENERATION_FAILED, "image " + w.index() + ": " + e));
                    }
                }
                return results;
            }
        }

        /** On the writer thread: the image's metadata row, or its request's dead letter if storage fails. */
        private Stored store(Work w, ImageOutput image, ModelInfo info, SchedulerFactory scheduler) {
            PromptRequest r = w.planned().request();
            OutputSettings out = options.outputs();
            long t0 = System.nanoTime();
            byte[] encoded = out.imageFormat().encode(image.image(),
                    ImageText.of(r, w.index(), image.seed(), scheduler(r, info), info), out.imageQuality());
            long t1 = System.nanoTime();
            Row row;
            if (inline) {
                // the row carries the bytes; the Parquet table or the shard writer stores them
                String name = ImageKeys.name(r.requestId(), w.index(), out.imageFormat());
                row = StagedOutput.image(metadata(w.planned(), w.index(), store.uri(OutputLayout.METADATA) + "#"
                        + name, Sha256.hex(encoded), ImageStatus.GENERATED, image, (t1 - t0) / 1_000_000, 0, info, scheduler),
                        encoded);
            } else {
                ObjectStore.PutResult put;
                try {
                    put = store.putIfAbsent(ImageKeys.of(r.requestId(), w.index(), out.imageFormat()), encoded,
                            out.imageFormat().contentType());
                } catch (RuntimeException e) {
                    return new Stored(null, deadLetter(w.planned(), ErrorCode.STORAGE_FAILED,
                            "image " + w.index() + ": " + e.getMessage()));
                }
                long t2 = System.nanoTime();
                row = StagedOutput.image(metadata(w.planned(), w.index(), put.uri(), put.sha256(),
                        put.created() ? ImageStatus.GENERATED : ImageStatus.EXISTING, image, (t1 - t0) / 1_000_000,
                        (t2 - t1) / 1_000_000, info, scheduler));
            }
            imagesDone.add(1);
            written++;
            if (injectFault && ctx.attemptNumber() == 0 && written == 1) {
                throw new IllegalStateException("injected fault: first attempt of task " + ctx.taskAttemptId()
                        + " (partition " + ctx.partitionId() + ") fails after writing one image");
            }
            return new Stored(row, null);
        }

        private GeneratedImage metadata(PlannedRequest planned, int index, String uri, String sha,
                                        ImageStatus status, ImageOutput image, long encodeMs, long uploadMs,
                                        ModelInfo info, SchedulerFactory scheduler) {
            PromptRequest r = planned.request();
            // the values the run used (diffusers' defaults included); the request's own for images not generated now
            String spacing = scheduler != null ? scheduler.resolvedTimestepSpacing() : r.timestepSpacing();
            Boolean karras = scheduler != null ? scheduler.resolvedUseKarrasSigmas() : r.useKarrasSigmas();
            return new GeneratedImage(r.requestId(), index, uri, sha, r.width(), r.height(), r.seed() + index,
                    r.prompt(), r.negativePrompt(), r.numInferenceSteps(), r.guidanceScale(), scheduler(r, info),
                    r.strength(), r.initImageUri(), JobOptions.recordedId(options.models().nameFor(r.model())),
                    info.weightsSha256(),
                    image == null ? 0 : Math.round(image.timings().textEncodeMs()),
                    image == null ? 0 : Math.round(image.timings().denoiseMs()),
                    image == null ? 0 : Math.round(image.timings().decodeMs()), encodeMs, uploadMs, host, executorId,
                    info.device(), info.dtype(), ctx.attemptNumber(), Instant.now(), status, r.metadata(),
                    r.prompt2(), r.negativePrompt2(), spacing, karras, info.revision());
        }
    }

    /** A request's text in a message: at most 200 characters, control characters escaped. */
    private static String shown(String text) {
        String cut = text.length() > 200 ? text.substring(0, 200) + "… (" + text.length() + " characters)" : text;
        StringBuilder b = new StringBuilder();
        cut.codePoints().forEach(c -> b.append(Character.isISOControl(c) ? String.format("\\u%04x", c)
                : new String(Character.toChars(c))));
        return b.toString();
    }

    private static String scheduler(PromptRequest r, ModelInfo info) {
        return r.scheduler() != null ? r.scheduler() : info.schedulerClass();
    }

    static DeadLetter deadLetter(PlannedRequest planned, ErrorCode code, String message) {
        return new DeadLetter(planned.request().requestId(), code, message, planned.original(), null,
                planned.sourceFile(), planned.sourceRow(), null, null, null, Instant.now());
    }

    /** A written image's metadata row, or the dead letter of an image that could not be stored. */
    private record Stored(Row row, DeadLetter deadLetter) {
    }

    /** One image to generate: image {@code index} of a request uses seed + index, so it is its own request. */
    private record Work(PlannedRequest planned, int index, RgbImage init) {
        GenerationRequest toGenerationRequest() {
            PromptRequest r = planned.request();
            return new GenerationRequest(r.prompt(), r.negativePrompt(), r.numInferenceSteps(), r.guidanceScale(),
                    r.width(), r.height(), r.seed() + index, 1, r.scheduler(), init == null ? null : r.strength(),
                    init, null, r.prompt2(), r.negativePrompt2(), r.timestepSpacing(), r.useKarrasSigmas());
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
