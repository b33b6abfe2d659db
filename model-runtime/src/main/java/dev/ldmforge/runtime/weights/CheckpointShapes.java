package dev.ldmforge.runtime.weights;

import java.util.Map;
import java.util.TreeSet;

/**
 * Architecture numbers read from the tensor shapes and key structure of an original checkpoint, for when no
 * inference YAML is given. What shapes cannot tell takes the defaults of the family: SD 1 has 8 heads per UNet
 * level and CLIP ViT-L (quick_gelu); SD 2 has 64-channel heads everywhere and OpenCLIP ViT-H (gelu); SDXL has
 * 64-channel heads, CLIP ViT-L and OpenCLIP bigG, 128-latent (1024-pixel) images and VAE scaling factor 0.13025;
 * SD latent size 64 (512-pixel images), VAE scaling factor 0.18215.
 */
final class CheckpointShapes {

    static final int SD_LATENT_SIZE = 64;
    static final double SD_SCALING_FACTOR = 0.18215;
    static final int SDXL_LATENT_SIZE = 128;
    static final double SDXL_SCALING_FACTOR = 0.13025;
    /** SDXL's time ids: original size, crop top-left, target size. */
    private static final int SDXL_TIME_IDS = 6;
    private static final int SD1_UNET_HEADS = 8;
    private static final int HEAD_CHANNELS = 64;

    private final Map<String, TensorInfo> tensors;
    private final String file;

    CheckpointShapes(Map<String, TensorInfo> tensors, String file) {
        this.tensors = tensors;
        this.file = file;
    }

    UNetArchitecture unet(ModelFamily family) {
        String p = UNetKeyMap.ROOT;
        long[] convIn = shape(p + "input_blocks.0.0.weight");
        int inputBlocks = count(p + "input_blocks.");
        TreeSet<Integer> downsamplers = new TreeSet<>();
        for (int i = 0; i < inputBlocks; i++) {
            if (tensors.containsKey(p + "input_blocks." + i + ".0.op.weight")) {
                downsamplers.add(i);
            }
        }
        int levels = downsamplers.size() + 1;
        int layers = downsamplers.isEmpty() ? inputBlocks - 1 : downsamplers.first() - 1;
        if (layers < 1 || inputBlocks != levels * (layers + 1)) {
            throw new WeightsException(file + ": UNet input_blocks (" + inputBlocks + ", downsamplers at "
                    + downsamplers + ") do not form levels of equal depth");
        }
        int[] channels = new int[levels];
        boolean[] attention = new boolean[levels];
        int[] heads = family == ModelFamily.SD1 ? new int[]{SD1_UNET_HEADS} : new int[levels];
        int[] depth = new int[levels];
        String mid = p + "middle_block.1.";
        int midDepth = count(mid + "transformer_blocks.");
        for (int i = 0; i < levels; i++) {
            String first = p + "input_blocks." + (1 + i * (layers + 1));
            channels[i] = (int) shape(first + ".0.out_layers.3.weight")[0];
            attention[i] = tensors.containsKey(first + ".1.proj_in.weight");
            depth[i] = attention[i] ? count(first + ".1.transformer_blocks.") : 1;
            if (family != ModelFamily.SD1) {
                if (channels[i] % HEAD_CHANNELS != 0) {
                    throw new WeightsException(file + ": UNet level " + i + " has " + channels[i] + " channels, "
                            + "not a multiple of " + HEAD_CHANNELS + ", so its attention heads cannot be inferred; "
                            + "pass the model's diffusers configs with --config DIR");
                }
                heads[i] = channels[i] / HEAD_CHANNELS;
            }
        }
        long[] projIn = shape(mid + "proj_in.weight");
        int context = (int) shape(mid + "transformer_blocks.0.attn2.to_k.weight")[1];
        if (family != ModelFamily.SDXL) {
            return new UNetArchitecture((int) convIn[1], (int) shape(p + "out.2.weight")[0], channels, layers,
                    attention, heads, context, projIn.length == 2, midDepth, SD_LATENT_SIZE);
        }
        if (midDepth != depth[levels - 1]) {
            throw new WeightsException(file + ": the mid block has " + midDepth + " transformer layers but the "
                    + "last level " + depth[levels - 1] + "; diffusers' UNet2DConditionModel gives both the same");
        }
        long[] label = shape(p + "label_emb.0.0.weight");
        int pooled = (int) shape(OpenClipTextKeyMap.SDXL_ROOT + OpenClipTextKeyMap.TEXT_PROJECTION)[1];
        int timeInputs = (int) label[1] - pooled;
        if (timeInputs <= 0 || timeInputs % SDXL_TIME_IDS != 0) {
            throw new WeightsException(file + ": label_emb takes " + label[1] + " inputs, which is not the pooled "
                    + "text embedding (" + pooled + ") plus " + SDXL_TIME_IDS + " equal time-id embeddings");
        }
        return new UNetArchitecture((int) convIn[1], (int) shape(p + "out.2.weight")[0], channels, layers,
                attention, heads, context, projIn.length == 2, depth, SDXL_LATENT_SIZE,
                timeInputs / SDXL_TIME_IDS, (int) label[1]);
    }

    VaeArchitecture vae(ModelFamily family) {
        String p = VaeKeyMap.ROOT;
        int levels = count(p + "encoder.down.");
        int[] channels = new int[levels];
        for (int i = 0; i < levels; i++) {
            channels[i] = (int) shape(p + "encoder.down." + i + ".block.0.conv2.weight")[0];
        }
        boolean xl = family == ModelFamily.SDXL;
        return new VaeArchitecture((int) shape(p + "encoder.conv_in.weight")[1],
                (int) shape(p + "decoder.conv_out.weight")[0], channels, count(p + "encoder.down.0.block."),
                (int) shape(p + "post_quant_conv.weight")[0],
                (xl ? SDXL_LATENT_SIZE : SD_LATENT_SIZE) << (levels - 1),
                xl ? SDXL_SCALING_FACTOR : SD_SCALING_FACTOR);
    }

    /**
     * The first text encoder: CLIP ViT-L (SD 1, SDXL) or OpenCLIP ViT-H (SD 2). {@code heads} null: hidden / 64,
     * as in all of them; a text encoder of another width needs its head count given.
     */
    ClipTextArchitecture textEncoder(ModelFamily family, Integer heads) {
        return switch (family) {
            case SD1 -> transformersClip(ClipTextKeyMap.ROOT, heads);
            case SDXL -> transformersClip(ClipTextKeyMap.SDXL_ROOT, heads);
            case SD2 -> openClip(OpenClipTextKeyMap.ROOT, openClipLayers(), heads, false);
        };
    }

    /** SDXL's text_encoder_2: OpenCLIP bigG, every resblock, with its text projection. */
    ClipTextArchitecture textEncoder2(Integer heads) {
        return openClip(OpenClipTextKeyMap.SDXL_ROOT, sdxlOpenClipLayers(), heads, true);
    }

    /** SDXL keeps every OpenCLIP bigG resblock: the pooled embedding needs the last layer. */
    int sdxlOpenClipLayers() {
        return count(OpenClipTextKeyMap.SDXL_ROOT + OpenClipTextKeyMap.RESBLOCKS);
    }

    private ClipTextArchitecture transformersClip(String root, Integer heads) {
        String p = root + (tensors.keySet().stream().anyMatch(k -> k.startsWith(root + "text_model."))
                ? "text_model." : "");
        long[] tokens = shape(p + "embeddings.token_embedding.weight");
        int hidden = (int) tokens[1];
        return new ClipTextArchitecture(hidden, (int) shape(p + "encoder.layers.0.mlp.fc1.weight")[0],
                count(p + "encoder.layers."), heads(hidden, heads),
                (int) shape(p + "embeddings.position_embedding.weight")[0], (int) tokens[0], "quick_gelu", hidden,
                false);
    }

    private ClipTextArchitecture openClip(String root, int layers, Integer heads, boolean projection) {
        long[] tokens = shape(root + "token_embedding.weight");
        int hidden = (int) tokens[1];
        int projectionDim = projection ? (int) shape(root + OpenClipTextKeyMap.TEXT_PROJECTION)[1] : 512;
        return new ClipTextArchitecture(hidden, (int) shape(root + OpenClipTextKeyMap.RESBLOCKS
                + "0.mlp.c_fc.weight")[0], layers, heads(hidden, heads), (int) shape(root + "positional_embedding")[0],
                (int) tokens[0], "gelu", projectionDim, projection);
    }

    private int heads(int hidden, Integer heads) {
        if (heads == null && hidden % HEAD_CHANNELS != 0) {
            throw new WeightsException(file + ": text encoder hidden size " + hidden + " is not a multiple of "
                    + HEAD_CHANNELS + ", so its head count cannot be inferred; pass its transformers config.json "
                    + "(--text-encoder-config) or the model's diffusers configs (--config DIR)");
        }
        return heads == null ? hidden / HEAD_CHANNELS : heads;
    }

    /**
     * The OpenCLIP resblocks diffusers keeps: SD 2 conditions on the penultimate layer, so a full tower (24
     * resblocks in ViT-H, recognisable by its text_projection) loses its last block; a converted one has already.
     */
    int openClipLayers() {
        int resblocks = count(OpenClipTextKeyMap.ROOT + OpenClipTextKeyMap.RESBLOCKS);
        boolean fullTower = resblocks == 24 || tensors.containsKey(OpenClipTextKeyMap.ROOT + "text_projection");
        return fullTower ? resblocks - 1 : resblocks;
    }

    /** Number of consecutive indices {@code 0, 1, ...} that appear as {@code prefix + index + "."}. */
    private int count(String prefix) {
        TreeSet<Integer> seen = new TreeSet<>();
        for (String key : tensors.keySet()) {
            if (key.startsWith(prefix)) {
                String rest = key.substring(prefix.length());
                int dot = rest.indexOf('.');
                if (dot > 0 && rest.substring(0, dot).chars().allMatch(Character::isDigit)) {
                    seen.add(Integer.parseInt(rest.substring(0, dot)));
                }
            }
        }
        if (seen.isEmpty() || seen.first() != 0 || seen.last() != seen.size() - 1) {
            throw new WeightsException(file + ": expected numbered keys " + prefix + "0, 1, ... but found indices "
                    + seen);
        }
        return seen.size();
    }

    private long[] shape(String key) {
        TensorInfo info = tensors.get(key);
        if (info == null) {
            throw new WeightsException(file + ": tensor " + key + " is missing; cannot infer the architecture");
        }
        return info.shape();
    }
}
