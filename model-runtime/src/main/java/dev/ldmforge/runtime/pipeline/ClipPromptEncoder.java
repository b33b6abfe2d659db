package dev.ldmforge.runtime.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ldmforge.runtime.textencoder.ClipTextModel;
import dev.ldmforge.runtime.tokenizer.ClipTokenizer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SD 1.x/2.x prompt embeddings, as diffusers' {@code StableDiffusionPipeline.encode_prompt}: the text encoder's last
 * hidden state; an absent negative prompt is encoded as "".
 */
final class ClipPromptEncoder implements PromptEncoder {
    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;

    ClipPromptEncoder(ClipTokenizer tokenizer, ClipTextModel textEncoder) {
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
    }

    @Override
    public Conditioning encode(List<GenerationRequest> requests, boolean cfg, NDManager m) {
        Map<String, Integer> texts = new LinkedHashMap<>();
        for (GenerationRequest r : requests) {
            texts.putIfAbsent(r.prompt(), texts.size());
            if (cfg) {
                texts.putIfAbsent(r.negativePromptOrEmpty(), texts.size());
            }
        }
        long[][] ids = new long[texts.size()][];
        int row = 0;
        for (String text : texts.keySet()) {
            ids[row++] = tokenizer.encode(text).inputIds();
        }
        NDArray embeddings = textEncoder.encode(m.create(ids), 0);
        int n = requests.size();
        long[] rows = new long[cfg ? 2 * n : n];
        for (int i = 0; i < n; i++) {
            GenerationRequest r = requests.get(i);
            if (cfg) {
                rows[i] = texts.get(r.negativePromptOrEmpty());
                rows[n + i] = texts.get(r.prompt());
            } else {
                rows[i] = texts.get(r.prompt());
            }
        }
        return new Conditioning(embeddings.get(m.create(rows)), null);
    }
}
