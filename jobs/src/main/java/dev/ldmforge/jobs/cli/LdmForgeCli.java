package dev.ldmforge.jobs.cli;

import dev.ldmforge.jobs.generate.GenerateCommand;
import dev.ldmforge.jobs.stream.StreamCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code ldmforge} launcher: one subcommand per task. */
@Command(
        name = "ldmforge",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Generate images from text with Latent Diffusion Models (Stable Diffusion 1.x/2.x) at dataset "
                + "scale, on Spark and DJL.",
        subcommands = {
            GenerateCommand.class,
            Txt2ImgCommand.class,
            Img2ImgCommand.class,
            InspectCommand.class,
            TokenizeCommand.class,
            DownloadCommand.class,
            TrainDemoCommand.class,
            KafkaBrokerCommand.class,
            ProduceCommand.class,
            StreamCommand.class,
            BenchCommand.class,
            DemoDataCommand.class,
            JudgeDemoCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
            "  ./ldmforge generate --prompts schemas/examples/prompts.jsonl --output out/",
            "  ./ldmforge txt2img --prompt \"a red circle on a blue background\" --output out.png",
            "  ./ldmforge inspect --model /models/stable-diffusion-v1-5",
            "  ./ldmforge txt2img --model stabilityai/stable-diffusion-2-1-base --prompt \"a lighthouse\" --output l.png",
            "  ./ldmforge help txt2img"})
public final class LdmForgeCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        return CliErrors.install(new CommandLine(new LdmForgeCli()));
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
