package dev.ldmforge.jobs.cli;

import dev.ldmforge.runtime.hub.HubModelId;
import dev.ldmforge.runtime.hub.HubModels;
import dev.ldmforge.runtime.hub.HubSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code ldmforge download}: fills the Hugging Face cache with a model, e.g. before taking it offline. */
@Command(name = "download", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Put a model named by its Hugging Face id into the Hugging Face cache (only the files a "
                + "pipeline reads) and print its snapshot folder: for machines and clusters that run offline.",
        footer = {"", "Examples:",
            "  ./ldmforge download --model stabilityai/stable-diffusion-2-1-base",
            "  ./ldmforge download --model stable-diffusion-v1-5/stable-diffusion-v1-5@main --variant fp16",
            "  HF_HOME=/shared/hf ./ldmforge download --model org/name --config-only",
            "",
            "Environment: HF_ENDPOINT, HF_TOKEN (or the token file $HF_HOME/token), HF_HOME or HF_HUB_CACHE,",
            "HF_HUB_OFFLINE=1 (check that the cache holds the model, without network)."})
public final class DownloadCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "ORG/NAME[@REVISION]",
            description = "a Hugging Face id; the revision is a branch, tag or commit (default main)")
    String model;

    @Option(names = "--variant", description = "weights variant, e.g. fp16")
    String variant;

    @Option(names = "--config-only", description = "the configs and tokenizer alone, no weights")
    boolean configOnly;

    @Override
    public Integer call() {
        HubModelId id = HubModelId.parse(model).orElseThrow(() -> new CliErrors.UsageException("--model " + model
                + " is not a Hugging Face id " + HubModelId.FORM));
        HubModels.Snapshot snapshot = new HubModels(HubSettings.fromEnvironment()).snapshot(id, variant,
                configOnly ? HubModels.Fetch.CONFIGS : HubModels.Fetch.ALL);
        System.err.println("download: " + id.repo() + "@" + snapshot.commit() + " is in the cache");
        System.out.println(snapshot.folder());
        return 0;
    }
}
