package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.cli.LdmForgeCli;

/**
 * spark-submit entry point of the batch job, with the same arguments as {@code ldmforge generate}:
 * {@code spark-submit --class dev.ldmforge.jobs.generate.GenerateMain ldmforge.jar --prompts ... --output ...}.
 */
public final class GenerateMain {
    private GenerateMain() {
    }

    public static void main(String[] args) {
        String[] full = new String[args.length + 1];
        full[0] = "generate";
        System.arraycopy(args, 0, full, 1, args.length);
        int code = LdmForgeCli.commandLine().execute(full);
        if (code != 0) {
            System.exit(code);
        }
    }
}
