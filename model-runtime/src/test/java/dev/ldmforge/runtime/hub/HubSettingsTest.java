package dev.ldmforge.runtime.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** huggingface_hub's environment variables, read as huggingface_hub reads them. */
class HubSettingsTest {
    @TempDir
    Path home;

    @Test
    void defaultsFollowHuggingfaceHub() {
        HubSettings s = HubSettings.from(Map.of(), home);
        assertEquals(URI.create("https://huggingface.co"), s.endpoint());
        assertEquals(home.resolve(".cache/huggingface/hub"), s.cache());
        assertNull(s.token());
        assertFalse(s.offline());
        assertTrue(s.progress());
        assertEquals(home.resolve("xdg/huggingface/hub"), HubSettings.from(Map.of("XDG_CACHE_HOME",
                home.resolve("xdg").toString()), home).cache());
    }

    @Test
    void variablesOverrideTheDefaults() throws IOException {
        Path hfHome = home.resolve("hf");
        Files.createDirectories(hfHome);
        Files.writeString(hfHome.resolve("token"), "hf_from_file\n");
        HubSettings fromHome = HubSettings.from(Map.of("HF_HOME", hfHome.toString(), "HF_ENDPOINT",
                "http://mirror.internal:8080/", "HF_HUB_OFFLINE", "yes", "HF_HUB_DISABLE_PROGRESS_BARS", "1"), home);
        assertEquals(hfHome.resolve("hub"), fromHome.cache());
        assertEquals("hf_from_file", fromHome.token());
        assertEquals(URI.create("http://mirror.internal:8080"), fromHome.endpoint());
        assertTrue(fromHome.offline());
        assertFalse(fromHome.progress());
        assertFalse(fromHome.toString().contains("hf_from_file"), "the token never shows");

        HubSettings explicit = HubSettings.from(Map.of("HF_HOME", hfHome.toString(), "HF_HUB_CACHE",
                home.resolve("c").toString(), "HF_TOKEN", "hf_env", "HF_HUB_OFFLINE", "0"), home);
        assertEquals(home.resolve("c"), explicit.cache());
        assertEquals("hf_env", explicit.token());
        assertFalse(explicit.offline());
    }
}
