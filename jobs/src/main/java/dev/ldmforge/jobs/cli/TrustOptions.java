package dev.ldmforge.jobs.cli;

import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * The trust boundary of {@code generate} and {@code stream}: what a request may name (models, init images) and how
 * much an executor may read or keep loaded on its word.
 */
public final class TrustOptions {
    /** 16 MiB: a 2048×2048 RGB PNG without compression is 12 MiB. */
    public static final long DEFAULT_MAX_INIT_IMAGE_BYTES = 16L << 20;

    @Option(names = "--extra-model", paramLabel = "NAME=LOCATION",
            description = "another model requests may name by NAME in their model field (repeatable); "
                    + "any other model is a dead letter UNKNOWN_MODEL")
    public List<String> extraModels = new ArrayList<>();

    @Option(names = "--allow-init-images", paramLabel = "PREFIX",
            description = "a folder or s3://bucket/prefix init_image_uri may lie under, besides the prompts' own "
                    + "folder (repeatable); others are dead letters INIT_IMAGE_NOT_ALLOWED")
    public List<String> allowInitImages = new ArrayList<>();

    @Option(names = "--max-init-image-bytes", paramLabel = "N", defaultValue = "" + DEFAULT_MAX_INIT_IMAGE_BYTES,
            description = "larger init images are dead letters INVALID_INIT_IMAGE; reading stops there "
                    + "(default: ${DEFAULT-VALUE})")
    public long maxInitImageBytes;

    @Option(names = "--max-loaded-models", paramLabel = "N", defaultValue = "2",
            description = "pipelines an executor keeps loaded; the least recently used is closed beyond it "
                    + "(default: ${DEFAULT-VALUE})")
    public int maxLoadedModels;
}
