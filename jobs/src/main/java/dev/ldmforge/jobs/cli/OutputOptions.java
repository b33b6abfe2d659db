package dev.ldmforge.jobs.cli;

import dev.ldmforge.jobs.output.ImageFormat;
import dev.ldmforge.jobs.output.OutputFormat;
import dev.ldmforge.jobs.output.OutputSettings;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The output layout options {@code generate} and {@code stream} share. */
public final class OutputOptions {
    @Option(names = "--output-format", defaultValue = "files", paramLabel = "files|webdataset|parquet",
            description = "files: one object per image under images/; webdataset: tar shards under shards/; "
                    + "parquet: images inside the metadata/ rows (Hugging Face Image feature) (default: ${DEFAULT-VALUE})")
    String outputFormat;

    @Option(names = "--image-format", defaultValue = "png", paramLabel = "png|jpeg|webp",
            description = "image encoding; parameters are embedded (PNG text chunks, JPEG/WebP XMP) "
                    + "(default: ${DEFAULT-VALUE})")
    String imageFormat;

    @Option(names = "--image-quality", defaultValue = "" + OutputSettings.DEFAULT_QUALITY, paramLabel = "1-100",
            description = "JPEG/WebP quality; 100 = lossless WebP (default: ${DEFAULT-VALUE})")
    int imageQuality;

    @Option(names = "--samples-per-shard", defaultValue = "" + OutputSettings.DEFAULT_SAMPLES_PER_SHARD,
            paramLabel = "N", description = "webdataset: samples per tar shard (default: ${DEFAULT-VALUE})")
    int samplesPerShard;

    @Option(names = "--gallery-max-images", defaultValue = "" + OutputSettings.DEFAULT_GALLERY_MAX_IMAGES,
            paramLabel = "N", description = "thumbnails on index.html at most, a deterministic sample "
                    + "(default: ${DEFAULT-VALUE})")
    int galleryMaxImages;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** The settings; a bad value is picocli's {@link ParameterException} naming the flag and the value. */
    public OutputSettings settings() {
        try {
            return new OutputSettings(OutputFormat.parse(outputFormat), ImageFormat.parse(imageFormat), imageQuality,
                    samplesPerShard, galleryMaxImages);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
