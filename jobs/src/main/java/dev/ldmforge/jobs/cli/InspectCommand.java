package dev.ldmforge.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ldmforge.runtime.pipeline.ModelInspector;
import dev.ldmforge.runtime.pipeline.ModelReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Load a model and print its family, architecture, parameter counts, dtypes and weights hash.",
        footer = {"", "Examples:",
            "  ./ldmforge inspect --model /models/stable-diffusion-v1-5",
            "  ./ldmforge inspect --model v1-5-pruned-emaonly.safetensors --json",
            "  ./ldmforge inspect --model /models/sd-2-1-base --config-only   # from configs alone, no weights",
            "  ./ldmforge inspect --model stabilityai/stable-diffusion-2-1-base@main --config-only"})
public final class InspectCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Option(names = "--config-only", description = "build the networks from the configs alone (no weights read)")
    boolean configOnly;

    @Override
    public Integer call() throws Exception {
        ModelReport report = ModelInspector.inspect(model.model(), model.loadOptions(), configOnly);
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(report));
            return 0;
        }
        System.out.println("model:   " + report.model());
        System.out.println("family:  " + report.family());
        System.out.println("weights: " + (report.configOnly() ? "not read (--config-only)"
                : "sha256 " + report.weightsSha256()));
        for (Map.Entry<String, ModelReport.Component> e : report.components().entrySet()) {
            ModelReport.Component c = e.getValue();
            System.out.printf("%n%s (%s)%n", e.getKey(), c.className());
            if (c.parameters() > 0) {
                System.out.printf("  parameters: %,d%n", c.parameters());
            }
            if (!c.storedDtypes().isEmpty()) {
                System.out.println("  stored dtypes: " + c.storedDtypes());
            }
            c.architecture().forEach((k, v) -> System.out.println("  " + k + ": " + v));
        }
        return 0;
    }
}
