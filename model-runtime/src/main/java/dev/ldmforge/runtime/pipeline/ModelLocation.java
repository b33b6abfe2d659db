package dev.ldmforge.runtime.pipeline;

import dev.ldmforge.runtime.hub.HubException;
import dev.ldmforge.runtime.hub.HubModelId;
import dev.ldmforge.runtime.hub.HubModels;
import dev.ldmforge.runtime.weights.WeightsException;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a model name points, in diffusers' order: the built-in {@code demo}; an existing local folder or file (so a
 * folder {@code org/name} in the working directory wins over the hub id of the same spelling); else a Hugging Face
 * id {@code ORG/NAME[@REVISION]}, whose snapshot is found in (or downloaded into) the Hugging Face cache. The
 * built-in {@code tiny} has no files and is the callers' to handle.
 *
 * @param path     the folder or file to open
 * @param id       what the model is called in {@link ModelInfo}: the name, or the hub repository {@code ORG/NAME}
 * @param revision the commit hash of a hub model's snapshot, else null
 */
public record ModelLocation(Path path, String id, String revision) {

    public static ModelLocation resolve(String model, LoadOptions options, HubModels.Fetch fetch) {
        if (model.equals(DemoModel.ID)) {
            return new ModelLocation(DemoModel.folder(), model, null);
        }
        Optional<Path> local = existing(model);
        if (local.isPresent()) {
            return new ModelLocation(local.get(), model, null);
        }
        Optional<HubModelId> hub = HubModelId.parse(model);
        if (hub.isEmpty()) {
            throw new WeightsException(model + ": no such model folder or file; a model is demo or tiny (built in), "
                    + "a diffusers folder, a .safetensors file, or a Hugging Face id " + HubModelId.FORM
                    + " such as stabilityai/stable-diffusion-2-1");
        }
        HubModels.Snapshot s;
        try {
            s = new HubModels(options.hubSettings()).snapshot(hub.get(), options.checkpoint().variant(), fetch);
        } catch (HubException e) {
            // A mistyped local path reads as a hub id too: say why the Hub was asked.
            throw new HubException(model + " (no such local folder or file, so a Hugging Face id): " + e.getMessage(),
                    e);
        }
        return new ModelLocation(s.folder(), hub.get().repo(), s.commit());
    }

    /** The hub id a model name is, unless it names a local path. */
    public static Optional<HubModelId> hubId(String model) {
        return model.equals(DemoModel.ID) || existing(model).isPresent() ? Optional.empty() : HubModelId.parse(model);
    }

    /** What {@link ModelInfo#id()} says for a model loaded by this name. */
    public static String recordedId(String model) {
        return hubId(model).map(HubModelId::repo).orElse(model);
    }

    private static Optional<Path> existing(String model) {
        try {
            Path p = Path.of(model);
            return Files.exists(p) ? Optional.of(p) : Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }
}
