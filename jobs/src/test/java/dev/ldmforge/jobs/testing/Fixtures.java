package dev.ldmforge.jobs.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates {@code ../shared/fixtures} (system property {@code ldmforge.fixtures}). Outside CI a missing folder skips
 * the fixture tests; in CI ({@code CI=true}) it is a failure. Same behaviour as model-runtime's test helper, which
 * lives in that module's test sources and is not visible here.
 */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path root() {
        String configured = System.getProperty("ldmforge.fixtures", "../shared/fixtures");
        Path root = Path.of(configured).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            String message = "diffusers reference fixtures not found at " + root
                    + " (set -Dldmforge.fixtures=/path/to/shared/fixtures)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(message);
            }
            Assumptions.abort(message);
        }
        return root;
    }

    public static Path path(String relative) {
        return root().resolve(relative);
    }
}
