package dev.ldmforge.jobs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code ldmforge} launcher: one subcommand per task. */
@Command(
        name = "ldmforge",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Generate images from text with Latent Diffusion Models (Stable Diffusion 1.x/2.x) at dataset "
                + "scale, on Spark and DJL.",
        subcommands = {CommandLine.HelpCommand.class,
            KafkaBrokerCommand.class,
            ProduceCommand.class},
        footer = {"", "Examples:", "  ./ldmforge --version", "  ./ldmforge help <command>"})
public final class LdmForgeCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        return new CommandLine(new LdmForgeCli());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
