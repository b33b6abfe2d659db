package dev.ldmforge.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.runtime.pipeline.Tokenizers;
import dev.ldmforge.runtime.tokenizer.Tokenization;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "tokenize", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show how a prompt is tokenized, and whether the 77-token limit cuts it.",
        footer = {"", "Examples:",
            "  ./ldmforge tokenize --model /models/stable-diffusion-v1-5 --prompt \"a photo of a cat\" --json",
            "  ./ldmforge tokenize --prompt \"a red circle on a blue background\""})
public final class TokenizeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--prompt", required = true, description = "the text to tokenize")
    String prompt;

    @Option(names = "--json", description = "print {\"input_ids\": [...], \"tokens\": [...], \"truncated\": bool}")
    boolean json;

    @Override
    public Integer call() throws Exception {
        var tokenizer = Tokenizers.load(model.model(), model.loadOptions());
        Tokenization t = tokenizer.tokenize(prompt);
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("input_ids", t.inputIds());
            out.put("tokens", t.tokens());
            out.put("truncated", t.truncated());
            System.out.println(new ObjectMapper().writeValueAsString(out));
        } else {
            System.out.println(t.inputIds().length + " tokens (limit " + tokenizer.modelMaxLength() + ")"
                    + (t.truncated() ? ", TRUNCATED" : ""));
            System.out.println(String.join(" ", t.tokens()));
        }
        return 0;
    }
}
