package dev.ldmforge.jobs.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.jobs.cli.LdmForgeCli;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.ldmforge.jobs.notebooks.NotebookRunner.javaString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Executes every code cell of every notebook under {@code notebooks/}, in order, against the project classpath, on a
 * small dataset the batch job writes first (with dead letters), so the notebooks never rot.
 */
class NotebooksTest {
    private static final Path NOTEBOOKS = Path.of("../notebooks");
    /** Each notebook and its test below. */
    private static final Set<String> TESTED = Set.of("explore-dataset.ipynb", "try-prompts.ipynb");
    /** try-prompts.ipynb's schedulers; the demo model's images are 32x32. */
    private static final int SCHEDULERS = 4;
    private static final int DEMO_SIZE = 32;

    @TempDir
    static Path dir;
    private static SparkSession spark;
    private static Path dataset;

    @BeforeAll
    static void generateDataset() {
        spark = SparkSession.builder().master("local[2]").appName("NotebooksTest")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
        dataset = dir.resolve("dataset");
        assertEquals(0, LdmForgeCli.commandLine().execute("generate", "--steps", "2",
                "--prompts", "../schemas/examples/prompts-with-bad-rows.jsonl", "--output", dataset.toString()));
        assertTrue(Files.isDirectory(dataset.resolve("dead-letter")), "the dataset has dead letters");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void exploreDataset() throws IOException {
        Path sheet = dir.resolve("contact-sheet.png");
        NotebookRunner.run(NOTEBOOKS.resolve("explore-dataset.ipynb"),
                Map.of("output", javaString(dataset), "contactSheet", javaString(sheet)));
        BufferedImage image = ImageIO.read(sheet.toFile());
        assertNotNull(image, "contact sheet written as PNG");
        assertTrue(image.getWidth() > 0 && image.getWidth() % 96 == 0, "96-pixel thumbnails: " + image.getWidth());
    }

    @Test
    void tryPrompts() throws IOException {
        Path row = dir.resolve("schedulers.png");
        NotebookRunner.run(NOTEBOOKS.resolve("try-prompts.ipynb"), Map.of("steps", "2", "sideBySide", javaString(row)));
        BufferedImage image = ImageIO.read(row.toFile());
        assertNotNull(image, "side-by-side image written as PNG");
        assertEquals(SCHEDULERS * DEMO_SIZE, image.getWidth());
        assertEquals(DEMO_SIZE, image.getHeight());
    }

    @Test
    void everyNotebookIsTestedAndUsesTheJavaKernel() throws IOException {
        Set<String> notebooks;
        try (Stream<Path> files = Files.list(NOTEBOOKS)) {
            notebooks = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ipynb"))
                    .collect(Collectors.toSet());
        }
        assertEquals(TESTED, notebooks);
        for (String name : notebooks) {
            JsonNode notebook = new ObjectMapper().readTree(NOTEBOOKS.resolve(name).toFile());
            assertEquals(4, notebook.path("nbformat").asInt(), name);
            assertEquals("java", notebook.path("metadata").path("kernelspec").path("name").asText(), name);
            assertEquals("java", notebook.path("metadata").path("language_info").path("name").asText(), name);
        }
    }
}
