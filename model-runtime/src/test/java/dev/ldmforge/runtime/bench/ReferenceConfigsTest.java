package dev.ldmforge.runtime.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.unet.UNet2DConditionConfig;
import org.junit.jupiter.api.Test;

import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReferenceConfigsTest {

    @Test
    void embeddedConfigsAreTheManifestsConfigSections() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (String model : new String[] {ReferenceConfigs.SD15, ReferenceConfigs.SD21_BASE}) {
            var manifest = json.readTree(Fixtures.path("manifests/" + model + ".json").toFile());
            for (String component : new String[] {"unet", "vae", "text_encoder"}) {
                try (InputStream in = ReferenceConfigs.class.getResourceAsStream(model + "-" + component + ".json")) {
                    assertEquals(manifest.path(component).path("config.json"), json.readTree(in),
                            model + " " + component);
                }
            }
        }
        var xl = json.readTree(Fixtures.path("manifests/sdxl-base.json").toFile());
        for (String component : new String[] {"unet", "vae"}) {
            try (InputStream in = ReferenceConfigs.class.getResourceAsStream("sdxl-base-" + component + ".json")) {
                assertEquals(xl.path(component).path("config.json"), json.readTree(in), "sdxl-base " + component);
            }
        }
    }

    /** 803 GFLOP per 64x64 latent: the walk's figure, pinned so that a change to it is deliberate. */
    @Test
    void unetFlopsAreLinearInBatchAnd803GigaflopsPerSd15Latent() {
        UNet2DConditionConfig sd15 = UNet2DConditionConfig.from(ReferenceConfigs.config(ReferenceConfigs.SD15, "unet"));
        double one = NetworkFlops.unet(sd15, 1, 64, 64, 77);
        assertEquals(2 * one, NetworkFlops.unet(sd15, 2, 64, 64, 77), 1e-6 * one);
        assertEquals(803.2e9, one, 1e9, "SD 1.5 UNet, one 64x64 latent");
    }
}
