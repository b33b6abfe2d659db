package dev.ldmforge.runtime.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.runtime.config.JsonConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The published config.json of each SD component, for building real-size networks without weights: read from the
 * fixtures' manifests ({@code <fixtures>/manifests/<model>.json}, section {@code <component>."config.json"}) when
 * they are present, else from copies of the same sections embedded in this package. A diffusers folder may stand
 * in for a published model (its {@code <component>/config.json}), e.g. a scaled-down variant in a test.
 */
public final class ReferenceConfigs {
    public static final String SD15 = "sd15";
    public static final String SD21_BASE = "sd21base";
    public static final String SDXL_BASE = "sdxl-base";

    private ReferenceConfigs() {
    }

    /** The model's name in benchmark names: sd15, sd21, sdxl, or a folder's name. */
    static String shortName(String model) {
        return Path.of(model).getFileName().toString().replace("-base", "").replace("base", "");
    }

    /**
     * @param model     a published model ({@link #SD15}, {@link #SD21_BASE}, {@link #SDXL_BASE}) or a diffusers folder
     * @param component {@code unet}, {@code vae} or {@code text_encoder}
     */
    public static JsonConfig config(String model, String component) {
        Path folder = Path.of(model);
        if (Files.isDirectory(folder)) {
            return JsonConfig.read(folder.resolve(component).resolve("config.json"));
        }
        Path manifest = Path.of(System.getProperty("ldmforge.fixtures", "../shared/fixtures"), "manifests",
                model + ".json");
        String source = model + "/" + component + "/config.json";
        try {
            if (Files.isRegularFile(manifest)) {
                JsonNode section = new ObjectMapper().readTree(manifest.toFile()).path(component).path("config.json");
                if (section.isObject()) {
                    return JsonConfig.parse(section.toString(), manifest + " " + source);
                }
            }
            String resource = model + "-" + component + ".json";
            try (InputStream in = ReferenceConfigs.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalArgumentException("no reference config " + source);
                }
                return JsonConfig.parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
                        "embedded " + source);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
