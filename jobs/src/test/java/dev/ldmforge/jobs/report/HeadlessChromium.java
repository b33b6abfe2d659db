package dev.ldmforge.jobs.report;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's {@code chromium}, headless, for page tests. Missing chromium fails the test in CI ({@code CI=true}; CI
 * installs it) and skips it elsewhere.
 */
final class HeadlessChromium {
    private static final long TIMEOUT_S = 60;

    private HeadlessChromium() {
    }

    static Path executable() {
        Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "chromium"))
                .filter(Files::isExecutable)
                .findFirst();
        if (found.isEmpty()) {
            String message = "chromium not found on PATH: the gallery browser test needs Debian's chromium "
                    + "(apt-get install -y chromium)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(message);
            }
            Assumptions.abort(message);
        }
        return found.get();
    }

    /** Loads {@code page}, lets its scripts and timers run (virtual time) and returns the serialised DOM. */
    static String dumpDom(Path page, Path workDir) throws IOException, InterruptedException {
        Path profile = Files.createDirectories(workDir.resolve("chromium-profile"));
        Path out = workDir.resolve("chromium.out");
        Path err = workDir.resolve("chromium.err");
        Process process = new ProcessBuilder(List.of(executable().toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--window-size=1280,4000", "--virtual-time-budget=5000",
                "--dump-dom", page.toUri().toString()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            Assertions.fail("chromium did not finish within " + TIMEOUT_S + " s; stderr:\n" + tail(err));
        }
        if (process.exitValue() != 0) {
            Assertions.fail("chromium exited with " + process.exitValue() + "; stderr:\n" + tail(err));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static String tail(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        return text.substring(Math.max(0, text.length() - 4000));
    }
}
