package dev.ldmforge.jobs.notebooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner itself: overrides, several snippets per cell, and a failure report for each kind of broken cell. */
class NotebookRunnerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A notebook of code cells; the first is the parameters cell. */
    private Path notebook(String... cells) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode array = root.putArray("cells");
        array.addObject().put("cell_type", "markdown").putArray("source").add("# title");
        for (int i = 0; i < cells.length; i++) {
            ObjectNode cell = array.addObject().put("cell_type", "code");
            cell.putArray("source").add(cells[i]);
            ObjectNode metadata = cell.putObject("metadata");
            if (i == 0) {
                metadata.putArray("tags").add("parameters");
            }
        }
        Path file = dir.resolve("n.ipynb");
        JSON.writeValue(file.toFile(), root);
        return file;
    }

    private AssertionError failure(String... cells) throws IOException {
        Path nb = notebook(cells);
        return assertThrows(AssertionError.class, () -> NotebookRunner.run(nb, Map.of()));
    }

    @Test
    void runsEverySnippetOfEveryCellWithTheOverridesAfterTheParametersCell() throws IOException {
        Path out = dir.resolve("out.txt");
        NotebookRunner.run(notebook("String file = \"unset\";\nint n = 1;",
                        "int twice(int x) { return 2 * x; }\nint m = twice(n);\n"
                                + "java.nio.file.Files.writeString(java.nio.file.Path.of(file), \"m=\" + m)"),
                Map.of("file", NotebookRunner.javaString(out), "n", "21"));
        assertEquals("m=42", Files.readString(out));
    }

    @Test
    void aCompileErrorNamesTheCellAndTheSnippet() throws IOException {
        String message = failure("int n = 1;", "int m = n + 1;\nString s = m;").getMessage();
        assertTrue(message.contains("n.ipynb cell 2") && message.contains("String s = m;")
                && message.contains("error: incompatible types"), message);
    }

    @Test
    void anUnresolvedReferenceFails() throws IOException {
        String message = failure("int n = 1;", "void f() { undefinedMethod(); }").getMessage();
        assertTrue(message.contains("unresolved") && message.contains("undefinedMethod"), message);
    }

    @Test
    void anExceptionFailsWithItsStackTrace() throws IOException {
        String message = failure("int n = 1;", "Integer.parseInt(\"x\" + n)").getMessage();
        assertTrue(message.contains("cell 2") && message.contains("NumberFormatException"), message);
    }

    @Test
    void anIncompleteCellFails() throws IOException {
        assertTrue(failure("int n = 1;", "if (n > 0) {").getMessage().contains("incomplete"));
    }

    @Test
    void aNotebookWithoutParametersCellFails() throws IOException {
        Path nb = dir.resolve("none.ipynb");
        Files.writeString(nb, "{\"cells\": [{\"cell_type\": \"code\", \"metadata\": {}, \"source\": \"int n = 1;\"}]}");
        AssertionError e = assertThrows(AssertionError.class, () -> NotebookRunner.run(nb, Map.of()));
        assertTrue(e.getMessage().contains("0 code cells tagged"), e.getMessage());
    }
}
