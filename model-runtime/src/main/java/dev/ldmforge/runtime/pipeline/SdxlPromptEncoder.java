package dev.ldmforge.runtime.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.textencoder.ClipTextModel;
import dev.ldmforge.runtime.textencoder.ClipTextModelWithProjection;
import dev.ldmforge.runtime.tokenizer.ClipTokenizer;
import dev.ldmforge.runtime.unet.AddedConditions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SDXL conditioning, as diffusers 0.25.1's {@code StableDiffusionXLPipeline.encode_prompt} and
 * {@code _get_add_time_ids}: both text encoders' {@code hidden_states[-2]} concatenated on the channel axis, the
 * second encoder's {@code text_embeds} as pooled embedding, and the request's micro-conditioning as time ids
 * (the negative rows get the same ones). {@code prompt_2} and {@code negative_prompt_2} fall back to the first
 * prompts when null or empty (Python's {@code or}). With {@code force_zeros_for_empty_prompt}, an ABSENT negative
 * prompt gives zero embeddings whatever {@code negative_prompt_2} says, while an explicit "" is encoded.
 */
final class SdxlPromptEncoder implements PromptEncoder {
    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final ClipTokenizer tokenizer2;
    private final ClipTextModelWithProjection textEncoder2;
    private final boolean forceZerosForEmptyPrompt;

    /** The texts of one row for the two encoders; a null row stands for zero embeddings. */
    private record Texts(String first, String second) {
    }

    SdxlPromptEncoder(ClipTokenizer tokenizer, ClipTextModel textEncoder, ClipTokenizer tokenizer2,
                      ClipTextModelWithProjection textEncoder2, boolean forceZerosForEmptyPrompt) {
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.tokenizer2 = tokenizer2;
        this.textEncoder2 = textEncoder2;
        this.forceZerosForEmptyPrompt = forceZerosForEmptyPrompt;
    }

    @Override
    public Conditioning encode(List<GenerationRequest> requests, boolean cfg, NDManager m) {
        List<Texts> rows = new ArrayList<>();
        List<GenerationRequest> rowRequests = new ArrayList<>();
        if (cfg) {
            for (GenerationRequest r : requests) {
                rows.add(negative(r));
                rowRequests.add(r);
            }
        }
        for (GenerationRequest r : requests) {
            rows.add(new Texts(r.prompt(), or(r.prompt2(), r.prompt())));
            rowRequests.add(r);
        }
        Map<String, Integer> first = new LinkedHashMap<>();
        Map<String, Integer> second = new LinkedHashMap<>();
        for (Texts t : rows) {
            if (t != null) {
                first.putIfAbsent(t.first(), first.size());
                second.putIfAbsent(t.second(), second.size());
            }
        }
        // One zero row after the encoded ones of each encoder stands for every zeroed negative prompt.
        NDArray hidden1 = withZeroRow(textEncoder.hiddenState(ids(tokenizer, first, m),
                textEncoder.config().numHiddenLayers() - 1));
        ClipTextModelWithProjection.Output out2 = textEncoder2.forward(ids(tokenizer2, second, m));
        NDArray hidden2 = withZeroRow(out2.text().penultimateHiddenState());
        NDArray pooled = withZeroRow(out2.textEmbeds());
        long[] rows1 = new long[rows.size()];
        long[] rows2 = new long[rows.size()];
        float[] timeIds = new float[rows.size() * 6];
        for (int i = 0; i < rows.size(); i++) {
            Texts t = rows.get(i);
            rows1[i] = t == null ? first.size() : first.get(t.first());
            rows2[i] = t == null ? second.size() : second.get(t.second());
            System.arraycopy(rowRequests.get(i).microConditioningOrDefault().timeIds(), 0, timeIds, 6 * i, 6);
        }
        NDArray index2 = m.create(rows2);
        NDArray promptEmbeds = hidden1.get(m.create(rows1)).concat(hidden2.get(index2), -1);
        NDArray timeIdRows = m.create(timeIds, new Shape(rows.size(), 6)).toType(pooled.getDataType(), false);
        return new Conditioning(promptEmbeds, new AddedConditions(pooled.get(index2), timeIdRows));
    }

    private Texts negative(GenerationRequest r) {
        if (r.negativePrompt() == null && forceZerosForEmptyPrompt) {
            return null;
        }
        String negative = r.negativePromptOrEmpty();
        return new Texts(negative, or(r.negativePrompt2(), negative));
    }

    /** Python's {@code a or b} for strings: {@code b} when {@code a} is None or empty. */
    private static String or(String a, String b) {
        return a == null || a.isEmpty() ? b : a;
    }

    private static NDArray ids(ClipTokenizer tokenizer, Map<String, Integer> texts, NDManager m) {
        long[][] ids = new long[texts.size()][];
        int row = 0;
        for (String text : texts.keySet()) {
            ids[row++] = tokenizer.encode(text).inputIds();
        }
        return m.create(ids);
    }

    private static NDArray withZeroRow(NDArray rows) {
        return rows.concat(rows.get("0:1").zerosLike(), 0);
    }
}
