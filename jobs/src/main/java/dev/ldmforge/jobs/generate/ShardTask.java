package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.output.ShardKeys;
import dev.ldmforge.jobs.output.ShardPlan;
import dev.ldmforge.jobs.output.ShardStats;
import dev.ldmforge.jobs.output.ShardWriter;
import dev.ldmforge.jobs.report.Gallery;
import dev.ldmforge.jobs.storage.ObjectStore;
import dev.ldmforge.jobs.storage.ObjectStores;
import dev.ldmforge.schemas.DeadLetter;
import dev.ldmforge.schemas.ErrorCode;
import dev.ldmforge.schemas.GeneratedImage;
import dev.ldmforge.schemas.ImageStatus;
import dev.ldmforge.schemas.InvalidRecordException;
import dev.ldmforge.schemas.JsonCodec;
import dev.ldmforge.schemas.SparkRows;
import dev.ldmforge.schemas.SparkSchemas;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code webdataset} generation stage: one task per shard ({@link ShardPlan}). It generates the shard's images
 * with {@link ImageTask} (bytes kept in the rows), writes the tar whole and then puts it with a conditional put, so a
 * shard exists complete or not at all and never twice; its {@code _stats.json} follows. A task that finds the tar
 * already there (a retried or speculative attempt, a rerun after a crash) regenerates nothing: it reads the samples'
 * records back from the tar (status EXISTING) and the failures from the stats. Rows out are {@link StagedOutput}s
 * for the images not yet in metadata and the dead letters.
 */
final class ShardTask implements MapPartitionsFunction<Row, Row> {
    private final JobOptions options;
    private final LongAccumulator imagesDone;
    private final Set<String> gallerySample;
    private final String dir;

    /**
     * @param gallerySample {@code request_id/image_index} of the gallery's images: their rows keep the bytes
     * @param dir           the shards' folder ({@link ShardKeys#tar})
     */
    ShardTask(JobOptions options, LongAccumulator imagesDone, Set<String> gallerySample, String dir) {
        this.options = options;
        this.imagesDone = imagesDone;
        this.gallerySample = Set.copyOf(gallerySample);
        this.dir = dir;
    }

    private Row imageRow(GeneratedImage g, byte[] image) {
        return StagedOutput.image(g, gallerySample.contains(Gallery.imageId(g.requestId(), g.imageIndex()))
                ? image : null);
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        List<Row> rows = new ArrayList<>();
        input.forEachRemaining(rows::add);
        if (rows.isEmpty()) {
            return List.<Row>of().iterator();
        }
        Row firstRow = rows.get(0);
        int shard = firstRow.getInt(firstRow.fieldIndex(ShardPlan.SHARD));
        Plan plan = new Plan(shard, rows, options.outputs().samplesPerShard());
        try (ObjectStore store = ObjectStores.open(options.output(), options.s3())) {
            String tarKey = ShardKeys.tar(dir, shard);
            if (store.exists(tarKey)) {
                return recover(store, plan).iterator();
            }
            List<Row> staged = new ArrayList<>();
            new ImageTask(options, imagesDone, true, false).call(rows.iterator()).forEachRemaining(staged::add);
            List<Row> out = new ArrayList<>();
            List<ShardStats.Failure> failures = new ArrayList<>();
            Set<String> stored = new HashSet<>();
            long bytes = 0;
            String ext = options.outputs().imageFormat().extension();
            try (ShardWriter writer = new ShardWriter(ext)) {
                for (Row r : staged) {
                    if (r.getString(0).equals(StagedOutput.IMAGE)) {
                        GeneratedImage g = SparkRows.fromRow(withSchema(r.getStruct(1),
                                SparkSchemas.GENERATED_IMAGE), GeneratedImage.class);
                        String key = plan.key(g.requestId(), g.imageIndex());
                        byte[] image = (byte[]) r.get(3);
                        GeneratedImage record = with(g, store.uri(tarKey) + "#" + key + "." + ext, g.status());
                        writer.add(key, image, g.prompt(), JsonCodec.write(record));
                        bytes += image.length;
                        stored.add(Plan.id(g.requestId(), g.imageIndex()));
                        if (!plan.recorded(g.requestId(), g.imageIndex())) {
                            out.add(imageRow(record, image));
                        }
                    }
                }
                for (Row r : staged) {
                    if (r.getString(0).equals(StagedOutput.DEAD)) {
                        DeadLetter d = SparkRows.fromRow(withSchema(r.getStruct(2), SparkSchemas.DEAD_LETTER),
                                DeadLetter.class);
                        for (int index : plan.requests.get(d.requestId()).pending()) {
                            if (!stored.contains(Plan.id(d.requestId(), index))) {
                                failures.add(new ShardStats.Failure(d.requestId(), index, d.errorCode().name(),
                                        d.errorMessage()));
                            }
                        }
                        out.add(r);
                    }
                }
                ObjectStore.PutResult put = store.putFileIfAbsent(tarKey, writer.finish(), "application/x-tar");
                if (!put.created()) { // another attempt put the shard first: its samples are the shard's
                    return recover(store, plan).iterator();
                }
                store.put(ShardKeys.stats(dir, shard), stats(shard, plan, writer.samples(), bytes, failures).toJson()
                        .getBytes(StandardCharsets.UTF_8), "application/json");
            }
            TaskContext ctx = TaskContext.get();
            if (options.failFirstAttempt() && ctx.attemptNumber() == 0) {
                throw new IllegalStateException("injected fault: first attempt of task " + ctx.taskAttemptId()
                        + " fails after putting shard " + tarKey);
            }
            return out.iterator();
        }
    }

    /** The rows of a shard that is already stored: records from its tar, dead letters from its stats. */
    private List<Row> recover(ObjectStore store, Plan plan) {
        String ext = "." + options.outputs().imageFormat().extension();
        Map<String, GeneratedImage> inTar = new HashMap<>();
        Map<String, byte[]> images = new HashMap<>();
        long bytes = 0;
        Path local = null;
        try {
            local = Files.createTempFile("ldmforge-shard-", ".tar");
            store.download(ShardKeys.tar(dir, plan.shard), local);
            try (InputStream file = new BufferedInputStream(Files.newInputStream(local));
                 TarArchiveInputStream tar = new TarArchiveInputStream(file)) {
                for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                    if (e.getName().endsWith(".json")) {
                        GeneratedImage g = JsonCodec.read(new String(tar.readAllBytes(), StandardCharsets.UTF_8),
                                GeneratedImage.class);
                        inTar.put(Plan.id(g.requestId(), g.imageIndex()), g);
                    } else if (e.getName().endsWith(ext)) {
                        bytes += e.getSize();
                        String key = e.getName().substring(0, e.getName().length() - ext.length());
                        if (plan.sampled(key, gallerySample)) {
                            images.put(key, tar.readAllBytes());
                        }
                    }
                }
            }
        } catch (IOException | InvalidRecordException e) {
            throw new IllegalStateException("shard " + ShardKeys.tar(dir, plan.shard) + " exists but cannot be read: "
                    + e.getMessage(), e);
        } finally {
            if (local != null) {
                local.toFile().delete();
            }
        }
        ShardStats stats = store.get(ShardKeys.stats(dir, plan.shard)).map(ShardStats::fromJson).orElse(null);
        Map<String, ShardStats.Failure> known = new HashMap<>();
        if (stats != null) {
            stats.failures().forEach(f -> known.put(Plan.id(f.requestId(), f.imageIndex()), f));
        }
        List<Row> out = new ArrayList<>();
        Map<String, DeadLetter> dead = new LinkedHashMap<>();
        List<ShardStats.Failure> failures = new ArrayList<>();
        for (PlannedRequest p : plan.requests.values()) {
            String requestId = p.request().requestId();
            for (int index : p.pending()) {
                String id = Plan.id(requestId, index);
                GeneratedImage g = inTar.get(id);
                if (g != null) {
                    if (!plan.recorded(requestId, index)) {
                        out.add(imageRow(with(g, g.imageUri(), ImageStatus.EXISTING),
                                images.get(plan.key(requestId, index))));
                    }
                    continue;
                }
                ShardStats.Failure f = known.getOrDefault(id, new ShardStats.Failure(requestId, index,
                        ErrorCode.GENERATION_FAILED.name(), "image " + index + ": shard " + ShardKeys.tar(dir, plan.shard)
                        + " was completed without it"));
                failures.add(f);
                dead.putIfAbsent(requestId, ImageTask.deadLetter(p, ErrorCode.valueOf(f.errorCode()),
                        f.errorMessage()));
            }
        }
        dead.values().forEach(d -> out.add(StagedOutput.deadLetter(d)));
        if (stats == null) { // the attempt that put the tar stopped before its stats
            store.put(ShardKeys.stats(dir, plan.shard), stats(plan.shard, plan, inTar.size(), bytes, failures).toJson()
                    .getBytes(StandardCharsets.UTF_8), "application/json");
        }
        return out;
    }

    private ShardStats stats(int shard, Plan plan, int successes, long bytes, List<ShardStats.Failure> failures) {
        Map<String, Integer> byCode = new TreeMap<>();
        failures.forEach(f -> byCode.merge(f.errorCode(), 1, Integer::sum));
        return new ShardStats(shard, plan.images, successes, failures.size(), options.outputs().imageFormat().cliName(),
                bytes, byCode, failures);
    }

    /** ImageTask's rows are built without a schema (its encoder gives them one); the readers need names. */
    private static Row withSchema(Row row, StructType schema) {
        Object[] values = new Object[row.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = row.get(i);
        }
        return new GenericRowWithSchema(values, schema);
    }

    private static GeneratedImage with(GeneratedImage g, String uri, ImageStatus status) {
        return new GeneratedImage(g.requestId(), g.imageIndex(), uri, g.sha256(), g.width(), g.height(), g.seed(),
                g.prompt(), g.negativePrompt(), g.numInferenceSteps(), g.guidanceScale(), g.scheduler(),
                g.strength(), g.initImageUri(), g.modelId(), g.modelHash(), g.textEncodeMs(), g.denoiseMs(),
                g.decodeMs(), g.encodeMs(), g.uploadMs(), g.host(), g.executorId(), g.device(), g.dtype(),
                g.taskAttempt(), g.createdAt(), status, g.metadata(), g.prompt2(), g.negativePrompt2(),
                g.timestepSpacing(), g.useKarrasSigmas(), g.modelRevision());
    }

    /** The shard's planned requests, each image's sample key, and which images metadata already holds. */
    private static final class Plan {
        final int shard;
        final Map<String, PlannedRequest> requests = new TreeMap<>();
        final Map<String, String> keys = new HashMap<>();
        final Map<String, String> ids = new HashMap<>(); // sample key -> request_id/image_index
        final Set<String> recorded = new HashSet<>();
        int images;

        Plan(int shard, List<Row> rows, int samplesPerShard) {
            this.shard = shard;
            for (Row row : rows) {
                PlannedRequest p = PlannedRequest.fromRow(row);
                String requestId = p.request().requestId();
                requests.put(requestId, p);
                int first = row.getInt(row.fieldIndex(ShardPlan.FIRST_POSITION));
                for (int i = 0; i < p.pending().size(); i++) {
                    String key = ShardKeys.sample(shard, first + i, samplesPerShard);
                    keys.put(id(requestId, p.pending().get(i)), key);
                    ids.put(key, Gallery.imageId(requestId, p.pending().get(i)));
                }
                for (Object index : row.getList(row.fieldIndex(ShardPlan.RECORDED_INDICES))) {
                    recorded.add(id(requestId, (Integer) index));
                }
                images += p.pending().size();
            }
        }

        static String id(String requestId, int index) {
            return requestId + "\u0000" + index;
        }

        /** Whether the sample with this key is one of the gallery's images. */
        boolean sampled(String key, Set<String> sample) {
            return sample.contains(ids.get(key));
        }

        String key(String requestId, int index) {
            return keys.get(id(requestId, index));
        }

        boolean recorded(String requestId, int index) {
            return recorded.contains(id(requestId, index));
        }
    }
}
