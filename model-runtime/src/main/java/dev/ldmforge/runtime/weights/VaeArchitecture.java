package dev.ldmforge.runtime.weights;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ldmforge.runtime.config.JsonConfig;

import java.util.Arrays;

/** The VAE numbers an original checkpoint determines, written as a diffusers {@code AutoencoderKL} config. */
record VaeArchitecture(int inChannels, int outChannels, int[] blockOutChannels, int layersPerBlock,
                       int latentChannels, int sampleSize, double scalingFactor) {

    JsonConfig toConfig(String source) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("_class_name", "AutoencoderKL");
        n.put("act_fn", "silu");
        Arrays.stream(blockOutChannels).forEach(n.putArray("block_out_channels")::add);
        for (int i = 0; i < blockOutChannels.length; i++) {
            n.withArray("down_block_types").add("DownEncoderBlock2D");
            n.withArray("up_block_types").add("UpDecoderBlock2D");
        }
        n.put("force_upcast", true);
        n.put("in_channels", inChannels);
        n.put("latent_channels", latentChannels);
        n.put("layers_per_block", layersPerBlock);
        n.put("norm_num_groups", 32);
        n.put("out_channels", outChannels);
        n.put("sample_size", sampleSize);
        n.put("scaling_factor", scalingFactor);
        return new JsonConfig(n, source);
    }
}
