package dev.ldmforge.jobs.cli;

import dev.ldmforge.jobs.images.Png;
import dev.ldmforge.runtime.hub.HubTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line with models by Hugging Face id, each run in its own JVM with its own environment, as a user runs
 * it: {@code download} fills {@code HF_HOME} from a real HTTP server on 127.0.0.1, then, with the server gone,
 * {@code HF_HUB_OFFLINE=1 HF_HOME=... ldmforge txt2img --model org/name} generates from the cache alone.
 */
class HubCliTest {
    private static final String REPO = "ldmforge-test/demo";

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** {@code ldmforge ARGS} in a child JVM whose Hugging Face variables are exactly {@code env}. */
    private Run ldmforge(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx2g", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                LdmForgeCli.class.getName()));
        command.addAll(List.of(args));
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("HF_") || k.startsWith("HUGGING")
                || k.equals("XDG_CACHE_HOME"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "ldmforge " + String.join(" ", args) + " finished");
        return new Run(p.exitValue(), out, Files.readString(err));
    }

    @Test
    void offlineTxt2imgByHubIdReadsTheCacheThatDownloadFilled() throws Exception {
        Path hfHome = dir.resolve("hf-home");
        String commit;
        try (HubTestServer hub = HubTestServer.start()) {
            commit = hub.publish(REPO, HubTestServer.demoModel());
            Run download = ldmforge(Map.of("HF_ENDPOINT", hub.endpoint(), "HF_HOME", hfHome.toString()),
                    "download", "--model", REPO);
            assertEquals(0, download.exitCode(), download.toString());
            assertEquals(hfHome.resolve("hub/models--ldmforge-test--demo/snapshots").resolve(commit).toString(),
                    download.out().strip(), download.toString());
        }

        Path png = dir.resolve("circle.png");
        Run offline = ldmforge(Map.of("HF_HUB_OFFLINE", "1", "HF_HOME", hfHome.toString()), "txt2img", "--model",
                REPO, "--prompt", "a red circle on a blue background", "--steps", "2", "--seed", "7", "--output",
                png.toString());
        assertEquals(0, offline.exitCode(), offline.toString());
        assertTrue(offline.out().contains("model " + REPO + "@" + commit), offline.toString());
        Map<String, String> text = Png.readText(Files.readAllBytes(png));
        assertEquals(REPO, text.get("model"));
        assertEquals(commit, text.get("model_revision"));

        Path empty = dir.resolve("empty-home");
        Run missing = ldmforge(Map.of("HF_HUB_OFFLINE", "1", "HF_HOME", empty.toString()), "txt2img", "--model",
                REPO, "--prompt", "a red circle on a blue background", "--steps", "2");
        assertEquals(CliErrors.FAILURE, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("HF_HUB_OFFLINE") && missing.err().contains(empty.resolve("hub").toString()),
                missing.toString());
    }
}
