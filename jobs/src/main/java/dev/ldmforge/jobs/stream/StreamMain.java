package dev.ldmforge.jobs.stream;

import dev.ldmforge.jobs.cli.LdmForgeCli;

/**
 * spark-submit entry point of the streaming job, with the same arguments as {@code ldmforge stream}:
 * {@code spark-submit --class dev.ldmforge.jobs.stream.StreamMain ldmforge.jar --bootstrap-servers ... --topic ...}.
 */
public final class StreamMain {
    private StreamMain() {
    }

    public static void main(String[] args) {
        String[] full = new String[args.length + 1];
        full[0] = "stream";
        System.arraycopy(args, 0, full, 1, args.length);
        int code = LdmForgeCli.commandLine().execute(full);
        if (code != 0) {
            System.exit(code);
        }
    }
}
