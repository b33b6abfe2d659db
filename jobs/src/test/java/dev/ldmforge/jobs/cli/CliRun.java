package dev.ldmforge.jobs.cli;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One in-process run of the {@code ldmforge} command line: its exit code, and what it printed on stdout and stderr.
 * The commands print with {@code System.out}, so that is captured too (and restored afterwards).
 */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        StringWriter picocliErr = new StringWriter();
        PrintStream originalOut = System.out;
        int code;
        try (PrintStream capture = new PrintStream(stdout, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            CommandLine cli = LdmForgeCli.commandLine();
            cli.setOut(new PrintWriter(capture, true));
            cli.setErr(new PrintWriter(picocliErr, true));
            code = cli.execute(args);
        } finally {
            System.setOut(originalOut);
        }
        return new CliRun(code, stdout.toString(StandardCharsets.UTF_8), picocliErr.toString());
    }

    /** The non-empty lines of stderr. */
    List<String> errLines() {
        return err.lines().filter(l -> !l.isBlank()).toList();
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
