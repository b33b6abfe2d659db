package dev.ldmforge.jobs.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs every code cell of a Jupyter notebook in order in one fresh JShell, as a JShell-based Java kernel (JJava)
 * would. The {@code local} execution engine runs the snippets in this JVM, so they see its classpath and its
 * {@code --add-opens} flags (Spark needs them). Right after the cell tagged {@code parameters}, the overrides are
 * assigned (papermill's convention). Any rejected or unresolved snippet, compile error or thrown exception is an
 * {@link AssertionError} naming the notebook, the cell index and the snippet.
 */
final class NotebookRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NotebookRunner() {
    }

    /** @param overrides parameter name to a Java expression, assigned after the {@code parameters} cell */
    static void run(Path notebook, Map<String, String> overrides) throws IOException {
        String name = notebook.getFileName().toString();
        JsonNode cells = JSON.readTree(notebook.toFile()).path("cells");
        int parameterCells = 0;
        try (JShell shell = JShell.builder().executionEngine("local").build()) {
            shell.addToClasspath(System.getProperty("java.class.path"));
            for (int i = 0; i < cells.size(); i++) {
                JsonNode cell = cells.get(i);
                if (!cell.path("cell_type").asText().equals("code")) {
                    continue;
                }
                String where = name + " cell " + i;
                evalCell(shell, where, source(cell));
                if (isParameters(cell)) {
                    evalCell(shell, where + " (parameter overrides)", overrides.entrySet().stream()
                            .map(e -> e.getKey() + " = " + e.getValue() + ";\n").collect(Collectors.joining()));
                    parameterCells++;
                }
            }
        }
        if (parameterCells != 1) {
            throw new AssertionError(name + ": " + parameterCells + " code cells tagged \"parameters\", expected 1");
        }
    }

    /** Quotes a string as a Java literal, for overrides. */
    static String javaString(Object value) {
        return '"' + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static String source(JsonNode cell) {
        JsonNode source = cell.path("source");
        if (source.isTextual()) {
            return source.asText();
        }
        StringBuilder out = new StringBuilder();
        source.forEach(line -> out.append(line.asText()));
        return out.toString();
    }

    private static boolean isParameters(JsonNode cell) {
        for (JsonNode tag : cell.path("metadata").path("tags")) {
            if (tag.asText().equals("parameters")) {
                return true;
            }
        }
        return false;
    }

    /** A cell holds several snippets: JShell evaluates one complete snippet at a time. */
    private static void evalCell(JShell shell, String where, String cell) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = cell;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                return;
            }
            if (!info.completeness().isComplete()) {
                throw new AssertionError(where + ": incomplete source (" + info.completeness() + "):\n" + remaining);
            }
            eval(shell, where, info.source());
            remaining = info.remaining();
        }
    }

    private static void eval(JShell shell, String where, String snippet) {
        for (SnippetEvent event : shell.eval(snippet)) {
            if (event.causeSnippet() != null) {
                continue; // a consequence (an earlier declaration overwritten), not the snippet itself
            }
            List<String> problems = new ArrayList<>();
            shell.diagnostics(event.snippet()).filter(Diag::isError)
                    .forEach(d -> problems.add("error: " + d.getMessage(Locale.ROOT)));
            if (event.status() != Snippet.Status.VALID) {
                problems.add("status " + event.status());
                if (event.snippet() instanceof DeclarationSnippet declaration) {
                    shell.unresolvedDependencies(declaration).forEach(d -> problems.add("unresolved: " + d));
                }
            }
            if (event.exception() != null) {
                problems.add("threw " + stackTrace(event.exception()));
            }
            if (!problems.isEmpty()) {
                throw new AssertionError(where + ", snippet:\n" + snippet.strip() + "\n" + String.join("\n", problems));
            }
        }
    }

    private static String stackTrace(JShellException e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
