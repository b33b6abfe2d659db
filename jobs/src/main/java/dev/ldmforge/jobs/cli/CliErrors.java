package dev.ldmforge.jobs.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * How the CLI fails: bad usage is one line on stderr and exit code 2; a failure while working (unreadable model,
 * unwritable output) is one line and exit code 1. Stack traces only with LDMFORGE_DEBUG=1.
 */
final class CliErrors {
    static final int USAGE = 2;
    static final int FAILURE = 1;

    private CliErrors() {
    }

    static CommandLine install(CommandLine cli) {
        cli.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println(ex.getCommandLine().getCommandName() + ": " + ex.getMessage() + " (see --help)");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if ("1".equals(System.getenv("LDMFORGE_DEBUG"))) {
                ex.printStackTrace(err);
            }
            if (ex instanceof UsageException) {
                err.println(commandLine.getCommandName() + ": " + ex.getMessage() + " (see --help)");
                return USAGE;
            }
            err.println(commandLine.getCommandName() + ": " + (ex.getMessage() != null ? ex.getMessage()
                    : ex.getClass().getSimpleName()));
            return FAILURE;
        });
        return cli;
    }

    /** A bad argument found after parsing (a value out of range, a file that is not an image). */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
