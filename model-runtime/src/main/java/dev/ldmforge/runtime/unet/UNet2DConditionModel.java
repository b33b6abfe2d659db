package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.nn.Conv2d;
import dev.ldmforge.runtime.nn.GroupNorm;
import dev.ldmforge.runtime.nn.Intermediates;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.nn.Scope;
import dev.ldmforge.runtime.nn.SiLU;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * diffusers' {@code UNet2DConditionModel}: predicts the noise in a latent at a timestep, conditioned on text states.
 * Building it from a config declares every weight under its diffusers state-dict key in the given {@link Parameters};
 * load them before calling {@link #forward}.
 */
public final class UNet2DConditionModel {
    private final UNet2DConditionConfig config;
    private final Timesteps timeProj;
    private final TimestepEmbedding timeEmbedding;
    private final TextTimeEmbedding textTime;
    private final Conv2d convIn;
    private final List<DownBlock2D> downBlocks = new ArrayList<>();
    private final UNetMidBlock2D midBlock;
    private final List<UpBlock2D> upBlocks = new ArrayList<>();
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    public UNet2DConditionModel(UNet2DConditionConfig config, Parameters parameters) {
        this(config, parameters, 0);
    }

    /** @param attentionQueryChunk queries per attention chunk to bound memory on large images; 0 = no chunking */
    public UNet2DConditionModel(UNet2DConditionConfig config, Parameters parameters, int attentionQueryChunk) {
        this.config = config;
        Scope root = parameters.root();
        int[] channels = config.blockOutChannels();
        int levels = channels.length;
        Attention.Options options = new Attention.Options(config.upcastAttention(), attentionQueryChunk);
        ResnetBlock2D.Settings resnet =
                new ResnetBlock2D.Settings(config.timeEmbedDim(), config.normNumGroups(), config.normEps(), 1.0);

        this.convIn = new Conv2d(root.child("conv_in"), config.inChannels(), channels[0], config.convInKernel(), 1,
                config.convInKernel() / 2);
        this.timeProj = new Timesteps(channels[0], config.flipSinToCos(), config.freqShift());
        this.timeEmbedding = new TimestepEmbedding(root.child("time_embedding"), channels[0], config.timeEmbedDim());
        this.textTime = UNet2DConditionConfig.TEXT_TIME.equals(config.additionEmbedType())
                ? new TextTimeEmbedding(root, config) : null;

        for (int i = 0; i < levels; i++) {
            boolean last = i == levels - 1;
            downBlocks.add(new DownBlock2D(root.child("down_blocks").child(i), channels[Math.max(0, i - 1)],
                    channels[i], config.layersPerBlock()[i], resnet,
                    config.downCrossAttention()[i] ? transformer(i, config.onlyCrossAttention()[i], options) : null,
                    last ? -1 : config.downsamplePadding()));
        }

        this.midBlock = new UNetMidBlock2D(root.child("mid_block"), channels[levels - 1],
                new ResnetBlock2D.Settings(config.timeEmbedDim(), config.normNumGroups(), config.normEps(),
                        config.midBlockScaleFactor()),
                transformer(levels - 1, false, options));

        // Up block i mirrors level j = levels-1-i and reads the per-level lists reversed, as diffusers does.
        for (int i = 0; i < levels; i++) {
            int j = levels - 1 - i;
            int resnets = config.layersPerBlock()[j] + 1;
            long[] skips = new long[resnets];
            for (int r = 0; r < resnets; r++) {
                // The last resnet takes the skip from before this level's first resnet: the level below's width.
                skips[r] = r == resnets - 1 ? channels[Math.max(0, j - 1)] : channels[j];
            }
            upBlocks.add(new UpBlock2D(root.child("up_blocks").child(i), channels[Math.min(levels - 1, j + 1)],
                    channels[j], skips, resnet,
                    config.upCrossAttention()[i] ? transformer(j, config.onlyCrossAttention()[j], options) : null,
                    i < levels - 1));
        }

        this.convNormOut = new GroupNorm(root.child("conv_norm_out"), config.normNumGroups(), channels[0],
                config.normEps());
        this.convOut = new Conv2d(root.child("conv_out"), channels[0], config.outChannels(), config.convOutKernel(),
                1, config.convOutKernel() / 2);
    }

    private SpatialAttention.Factory transformer(int level, boolean onlyCross, Attention.Options options) {
        Transformer2DModel.Settings s = new Transformer2DModel.Settings(config.attentionHeads()[level],
                config.transformerLayersPerBlock()[level], config.crossAttentionDim()[level], config.normNumGroups(),
                config.useLinearProjection(), onlyCross, options);
        return (scope, channels) -> new Transformer2DModel(scope, channels, s);
    }

    public UNet2DConditionConfig config() {
        return config;
    }

    /** {@link #forward(NDArray, NDArray, NDArray, AddedConditions)} for a UNet without added conditions. */
    public NDArray forward(NDArray sample, NDArray timestep, NDArray encoderHiddenStates) {
        return forward(sample, timestep, encoderHiddenStates, null);
    }

    /**
     * @param sample              noisy latents [B, in_channels, H, W]
     * @param timestep            a scalar, or one timestep per batch element [B]; may be fractional
     * @param encoderHiddenStates text states [B, L, cross_attention_dim]
     * @param added               SDXL's pooled text embeddings and time ids (addition_embed_type text_time), else
     *                            null
     * @return the noise prediction [B, out_channels, H, W], in the manager of {@code sample}; all intermediates are
     *         freed before returning
     */
    public NDArray forward(NDArray sample, NDArray timestep, NDArray encoderHiddenStates, AddedConditions added) {
        return Intermediates.freedAfter(() -> {
            long batch = sample.getShape().get(0);
            NDArray t = timestep.getShape().size() == batch ? timestep.reshape(batch)
                    : timestep.reshape(1).broadcast(new Shape(batch));
            NDArray emb = timeEmbedding.forward(timeProj.forward(t).toType(sample.getDataType(), false));
            if (textTime != null) {
                emb = emb.add(textTime.forward(added, emb.getDataType()));
            }

            NDArray x = convIn.forward(config.centerInputSample() ? sample.mul(2).sub(1) : sample);
            Deque<NDArray> skips = new ArrayDeque<>();
            skips.push(x);
            for (DownBlock2D block : downBlocks) {
                x = block.forward(x, emb, encoderHiddenStates, skips);
            }
            x = midBlock.forward(x, emb, encoderHiddenStates);
            for (UpBlock2D block : upBlocks) {
                x = block.forward(x, emb, encoderHiddenStates, skips);
            }
            return convOut.forward(SiLU.forward(convNormOut.forward(x)));
        }, sample, timestep, encoderHiddenStates, added == null ? null : added.textEmbeds(),
                added == null ? null : added.timeIds());
    }

    /** {@link #forward(NDArray, NDArray, NDArray)} with one timestep for the whole batch. */
    public NDArray forward(NDArray sample, float timestep, NDArray encoderHiddenStates) {
        return forward(sample, timestep, encoderHiddenStates, null);
    }

    /** {@link #forward(NDArray, NDArray, NDArray, AddedConditions)} with one timestep for the whole batch. */
    public NDArray forward(NDArray sample, float timestep, NDArray encoderHiddenStates, AddedConditions added) {
        try (NDArray t = sample.getManager().create(timestep)) {
            return forward(sample, t, encoderHiddenStates, added);
        }
    }
}
