package dev.ldmforge.runtime.testing;

import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.weights.SafetensorsFile;
import dev.ldmforge.runtime.weights.SafetensorsWriter;
import dev.ldmforge.runtime.weights.StoredDtype;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Diffusers SDXL state-dict keys to the original (Stability AI sgm) single-file layout, written for the tests
 * independently of the mapping under test, the way diffusers' {@code convert_diffusers_to_original_sdxl.py} does it,
 * with the block numbers counted from the config instead of SDXL's three levels: UNet under
 * {@code model.diffusion_model.}, VAE under {@code first_stage_model.} (mid-block attention as 1x1 convs), CLIP
 * ViT-L under {@code conditioner.embedders.0.transformer.}, OpenCLIP bigG under
 * {@code conditioner.embedders.1.model.} (fused q/k/v {@code in_proj}, {@code text_projection} transposed).
 */
public final class SdxlOriginalLayout {
    private static final Map<String, String> RESNET = Map.of("norm1", "in_layers.0", "conv1", "in_layers.2",
            "time_emb_proj", "emb_layers.1", "norm2", "out_layers.0", "conv2", "out_layers.3",
            "conv_shortcut", "skip_connection");
    private static final Map<String, String> OPEN_CLIP_LAYER = Map.of("layer_norm1", "ln_1", "layer_norm2", "ln_2",
            "mlp.fc1", "mlp.c_fc", "mlp.fc2", "mlp.c_proj", "self_attn.out_proj", "attn.out_proj");
    private static final String TE2 = "conditioner.embedders.1.model.";

    /** One original tensor: its key, stored shape, and the diffusers keys whose data it holds (concatenated). */
    public record Original(String key, long[] shape, List<String> sources, boolean transposed) {
    }

    private final int layers;
    private final int levels;
    private final boolean[] upAttention;
    private final int vaeLevels;

    public SdxlOriginalLayout(JsonConfig unet, JsonConfig vae) {
        this.levels = unet.ints("block_out_channels").length;
        this.layers = unet.integer("layers_per_block", 2);
        this.upAttention = new boolean[levels];
        List<String> up = unet.strings("up_block_types");
        for (int i = 0; i < levels; i++) {
            upAttention[i] = up.get(i).startsWith("CrossAttn");
        }
        this.vaeLevels = vae.ints("block_out_channels").length;
    }

    /** Original tensors for a component's diffusers keys and shapes (in their order). */
    public Map<String, Original> originals(String component, Map<String, long[]> diffusers) {
        Map<String, Original> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : diffusers.entrySet()) {
            String key = e.getKey();
            long[] shape = e.getValue();
            switch (component) {
                case "unet" -> put(out, "model.diffusion_model." + unet(key), shape, key);
                case "vae" -> {
                    String name = "first_stage_model." + vae(key);
                    boolean conv1x1 = key.contains("mid_block.attentions.0.") && key.endsWith(".weight")
                            && shape.length == 2;
                    put(out, name, conv1x1 ? new long[] {shape[0], shape[1], 1, 1} : shape, key);
                }
                case "text_encoder" -> put(out, "conditioner.embedders.0.transformer." + key, shape, key);
                case "text_encoder_2" -> textEncoder2(out, key, shape);
                default -> throw new IllegalArgumentException(component);
            }
        }
        return out;
    }

    private static void put(Map<String, Original> out, String name, long[] shape, String source) {
        out.put(name, new Original(name, shape, List.of(source), false));
    }

    private String unet(String key) {
        String[][] fixed = {{"time_embedding.linear_1", "time_embed.0"}, {"time_embedding.linear_2", "time_embed.2"},
            {"add_embedding.linear_1", "label_emb.0.0"}, {"add_embedding.linear_2", "label_emb.0.2"},
            {"conv_in", "input_blocks.0.0"}, {"conv_norm_out", "out.0"}, {"conv_out", "out.2"},
            {"mid_block.attentions.0", "middle_block.1"}};
        for (String[] f : fixed) {
            if (key.startsWith(f[0] + ".")) {
                return f[1] + key.substring(f[0].length());
            }
        }
        String[] p = key.split("\\.");
        if (p[0].equals("mid_block")) {
            return "middle_block." + 2 * Integer.parseInt(p[2]) + "." + resnet(rest(p, 3));
        }
        int i = Integer.parseInt(p[1]);
        int j = Integer.parseInt(p[3]);
        if (p[0].equals("down_blocks")) {
            return switch (p[2]) {
                case "resnets" -> "input_blocks." + ((layers + 1) * i + j + 1) + ".0." + resnet(rest(p, 4));
                case "attentions" -> "input_blocks." + ((layers + 1) * i + j + 1) + ".1." + rest(p, 4);
                default -> "input_blocks." + (layers + 1) * (i + 1) + ".0.op." + rest(p, 5); // downsamplers.0.conv
            };
        }
        return switch (p[2]) {
            case "resnets" -> "output_blocks." + ((layers + 1) * i + j) + ".0." + resnet(rest(p, 4));
            case "attentions" -> "output_blocks." + ((layers + 1) * i + j) + ".1." + rest(p, 4);
            default -> "output_blocks." + ((layers + 1) * i + layers) + "." + (upAttention[i] ? 2 : 1) + "."
                    + rest(p, 4); // upsamplers.0.conv
        };
    }

    private static String resnet(String inner) {
        for (Map.Entry<String, String> r : RESNET.entrySet()) {
            if (inner.startsWith(r.getKey() + ".")) {
                return r.getValue() + inner.substring(r.getKey().length());
            }
        }
        return inner;
    }

    private String vae(String key) {
        String k = key.replace("conv_norm_out", "norm_out").replace("conv_shortcut", "nin_shortcut")
                .replace("mid_block.attentions.0.group_norm", "mid.attn_1.norm")
                .replace("mid_block.attentions.0.to_q", "mid.attn_1.q")
                .replace("mid_block.attentions.0.to_k", "mid.attn_1.k")
                .replace("mid_block.attentions.0.to_v", "mid.attn_1.v")
                .replace("mid_block.attentions.0.to_out.0", "mid.attn_1.proj_out")
                .replace("mid_block.resnets.0", "mid.block_1").replace("mid_block.resnets.1", "mid.block_2");
        String[] p = k.split("\\.");
        if (p.length > 3 && p[1].equals("down_blocks")) {
            String block = p[3].equals("resnets") ? "block." + p[4] : "downsample";
            return p[0] + ".down." + p[2] + "." + block + "." + rest(p, p[3].equals("resnets") ? 5 : 5);
        }
        if (p.length > 3 && p[1].equals("up_blocks")) {
            int original = vaeLevels - 1 - Integer.parseInt(p[2]);
            String block = p[3].equals("resnets") ? "block." + p[4] : "upsample";
            return p[0] + ".up." + original + "." + block + "." + rest(p, 5);
        }
        return k;
    }

    private static void textEncoder2(Map<String, Original> out, String key, long[] shape) {
        if (key.equals("text_model.embeddings.position_ids")) {
            return;
        }
        String[][] fixed = {{"text_model.embeddings.token_embedding.weight", "token_embedding.weight"},
            {"text_model.embeddings.position_embedding.weight", "positional_embedding"},
            {"text_model.final_layer_norm.weight", "ln_final.weight"},
            {"text_model.final_layer_norm.bias", "ln_final.bias"}};
        for (String[] f : fixed) {
            if (key.equals(f[0])) {
                put(out, TE2 + f[1], shape, key);
                return;
            }
        }
        if (key.equals("text_projection.weight")) {
            out.put(TE2 + "text_projection", new Original(TE2 + "text_projection", new long[] {shape[1], shape[0]},
                    List.of(key), true));
            return;
        }
        String[] p = key.split("\\.");
        String layer = TE2 + "transformer.resblocks." + p[3] + ".";
        String inner = rest(p, 4);
        if (inner.matches("self_attn\\.[qkv]_proj\\.(weight|bias)")) {
            String kind = inner.endsWith("weight") ? "weight" : "bias";
            String name = layer + "attn.in_proj_" + kind;
            String prefix = "text_model.encoder.layers." + p[3] + ".self_attn.";
            long[] fused = shape.clone();
            fused[0] *= 3;
            out.put(name, new Original(name, fused, List.of(prefix + "q_proj." + kind, prefix + "k_proj." + kind,
                    prefix + "v_proj." + kind), false));
            return;
        }
        for (Map.Entry<String, String> r : OPEN_CLIP_LAYER.entrySet()) {
            if (inner.startsWith(r.getKey() + ".")) {
                put(out, layer + r.getValue() + inner.substring(r.getKey().length()), shape, key);
                return;
            }
        }
        throw new IllegalArgumentException("no OpenCLIP name for " + key);
    }

    private static String rest(String[] parts, int from) {
        return String.join(".", java.util.Arrays.copyOfRange(parts, from, parts.length));
    }

    /** Writes a diffusers SDXL folder's float32 weights as one original single-file checkpoint. */
    public static void writeSingleFile(Path folder, Path file) {
        SdxlOriginalLayout layout = new SdxlOriginalLayout(JsonConfig.read(folder.resolve("unet/config.json")),
                JsonConfig.read(folder.resolve("vae/config.json")));
        SafetensorsWriter writer = new SafetensorsWriter();
        Map<String, String> files = Map.of("unet", "unet/diffusion_pytorch_model.safetensors",
                "vae", "vae/diffusion_pytorch_model.safetensors", "text_encoder", "text_encoder/model.safetensors",
                "text_encoder_2", "text_encoder_2/model.safetensors");
        for (String component : List.of("unet", "vae", "text_encoder", "text_encoder_2")) {
            try (SafetensorsFile weights = SafetensorsFile.open(folder.resolve(files.get(component)))) {
                Map<String, long[]> shapes = new LinkedHashMap<>();
                weights.keys().stream().sorted().forEach(k -> shapes.put(k, weights.info(k).shape()));
                for (Original o : layout.originals(component, shapes).values()) {
                    writer.add(o.key(), StoredDtype.F32, o.shape(), data(o, weights));
                }
            }
        }
        writer.write(file);
    }

    private static ByteBuffer data(Original o, SafetensorsFile weights) {
        if (o.transposed()) {
            long[] s = weights.info(o.sources().get(0)).shape();
            java.nio.FloatBuffer in = weights.bytes(o.sources().get(0)).order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer();
            ByteBuffer out = ByteBuffer.allocate(in.remaining() * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int r = 0; r < s[1]; r++) {
                for (int c = 0; c < s[0]; c++) {
                    out.putFloat(in.get(c * (int) s[1] + r));
                }
            }
            return out.flip();
        }
        int size = 0;
        for (String source : o.sources()) {
            size += weights.bytes(source).remaining();
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (String source : o.sources()) {
            out.put(weights.bytes(source));
        }
        return out.flip();
    }
}
