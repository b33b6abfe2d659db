package dev.ldmforge.runtime.weights;

import java.util.Map;
import java.util.TreeSet;

/**
 * Architecture numbers read from the tensor shapes and key structure of an original checkpoint, for when no
 * inference YAML is given. What shapes cannot tell takes the SD defaults of the family: SD 1 has 8 heads per UNet
 * level and CLIP ViT-L (quick_gelu); SD 2 has 64-channel heads everywhere and OpenCLIP ViT-H (gelu); latent size 64
 * (512-pixel images); VAE scaling factor 0.18215.
 */
final class CheckpointShapes {

    static final int SD_LATENT_SIZE = 64;
    static final double SD_SCALING_FACTOR = 0.18215;
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
        for (int i = 0; i < levels; i++) {
            String first = p + "input_blocks." + (1 + i * (layers + 1));
            channels[i] = (int) shape(first + ".0.out_layers.3.weight")[0];
            attention[i] = tensors.containsKey(first + ".1.proj_in.weight");
            if (family == ModelFamily.SD2) {
                heads[i] = channels[i] / HEAD_CHANNELS;
            }
        }
        String mid = p + "middle_block.1.";
        long[] projIn = shape(mid + "proj_in.weight");
        return new UNetArchitecture((int) convIn[1], (int) shape(p + "out.2.weight")[0], channels, layers,
                attention, heads, (int) shape(mid + "transformer_blocks.0.attn2.to_k.weight")[1],
                projIn.length == 2, count(mid + "transformer_blocks."), SD_LATENT_SIZE);
    }

    VaeArchitecture vae() {
        String p = VaeKeyMap.ROOT;
        int levels = count(p + "encoder.down.");
        int[] channels = new int[levels];
        for (int i = 0; i < levels; i++) {
            channels[i] = (int) shape(p + "encoder.down." + i + ".block.0.conv2.weight")[0];
        }
        return new VaeArchitecture((int) shape(p + "encoder.conv_in.weight")[1],
                (int) shape(p + "decoder.conv_out.weight")[0], channels, count(p + "encoder.down.0.block."),
                (int) shape(p + "post_quant_conv.weight")[0], SD_LATENT_SIZE << (levels - 1), SD_SCALING_FACTOR);
    }

    /**
     * CLIP ViT-L (SD 1) or OpenCLIP ViT-H (SD 2) text tower. {@code heads} null: hidden / 64, as in both; a text
     * encoder of another width needs its head count given.
     */
    ClipTextArchitecture textEncoder(ModelFamily family, Integer heads) {
        int hidden;
        int vocab;
        int positions;
        int intermediate;
        int layers;
        if (family == ModelFamily.SD1) {
            String p = ClipTextKeyMap.ROOT + (tensors.keySet().stream().anyMatch(
                    k -> k.startsWith(ClipTextKeyMap.ROOT + "text_model.")) ? "text_model." : "");
            long[] tokens = shape(p + "embeddings.token_embedding.weight");
            hidden = (int) tokens[1];
            vocab = (int) tokens[0];
            positions = (int) shape(p + "embeddings.position_embedding.weight")[0];
            intermediate = (int) shape(p + "encoder.layers.0.mlp.fc1.weight")[0];
            layers = count(p + "encoder.layers.");
        } else {
            String p = OpenClipTextKeyMap.ROOT;
            long[] tokens = shape(p + "token_embedding.weight");
            hidden = (int) tokens[1];
            vocab = (int) tokens[0];
            positions = (int) shape(p + "positional_embedding")[0];
            intermediate = (int) shape(p + OpenClipTextKeyMap.RESBLOCKS + "0.mlp.c_fc.weight")[0];
            layers = openClipLayers();
        }
        if (heads == null && hidden % HEAD_CHANNELS != 0) {
            throw new WeightsException(file + ": text encoder hidden size " + hidden + " is not a multiple of "
                    + HEAD_CHANNELS + ", so its head count cannot be inferred; pass its transformers config.json");
        }
        int h = heads == null ? hidden / HEAD_CHANNELS : heads;
        return family == ModelFamily.SD1
                ? new ClipTextArchitecture(hidden, intermediate, layers, h, positions, vocab, "quick_gelu", hidden)
                : new ClipTextArchitecture(hidden, intermediate, layers, h, positions, vocab, "gelu", 512);
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
