package dev.ldmforge.runtime.hub;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HubModelIdTest {

    @Test
    void hubIdsWithAndWithoutRevisions() {
        HubModelId plain = HubModelId.parse("stabilityai/stable-diffusion-2-1").orElseThrow();
        assertEquals("stabilityai/stable-diffusion-2-1", plain.repo());
        assertEquals("main", plain.revisionOrDefault());
        assertEquals("models--stabilityai--stable-diffusion-2-1", plain.cacheFolderName());
        assertFalse(plain.pinned());

        HubModelId pr = HubModelId.parse("laion/CLIP-ViT-H-14-laion2B-s32B-b79K@refs/pr/3").orElseThrow();
        assertEquals("refs/pr/3", pr.revision());
        String commit = "0123456789abcdef0123456789abcdef01234567";
        HubModelId pinned = plain.at(commit);
        assertTrue(pinned.pinned());
        assertEquals("stabilityai/stable-diffusion-2-1@" + commit, pinned.toString());
        assertEquals(pinned, HubModelId.parse(pinned.toString()).orElseThrow());
        assertEquals("v1.0", HubModelId.parse("org/name@v1.0").orElseThrow().revision());
    }

    @Test
    void pathsAndMalformedNamesAreNotHubIds() {
        for (String name : new String[] {"demo", "tiny", "/models/sd15", "./org/name", "models/v1-5.safetensors",
                "org/name/extra", "org/na--me", "org/../x", "s3://bucket/model", "org/name@", "org/name@../x",
                "org/name@a b", "-org/name", "org/name.git", "org/", "/name", "org/name@refs//pr"}) {
            assertEquals(Optional.empty(), HubModelId.parse(name), name);
        }
        assertThrows(IllegalArgumentException.class, () -> new HubModelId("org/name", null).at("main"));
    }
}
