package dev.ldmforge.runtime.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.unet.UNet2DConditionConfig;
import dev.ldmforge.runtime.unet.UNet2DConditionModel;
import dev.ldmforge.runtime.vae.AutoencoderKL;
import dev.ldmforge.runtime.vae.AutoencoderKLConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Peak memory of one network call above its weights, measured in a fresh child JVM so that nothing freed by earlier
 * calls (which malloc keeps resident) hides the call's own peak. The child builds the network with random weights,
 * reads its resident set (VmRSS: JVM, libtorch and the weights), resets the kernel's peak-RSS mark (writing 5 to
 * /proc/self/clear_refs sets VmHWM to the current RSS), makes one call and prints VmHWM − that RSS.
 */
public final class MemoryProbe {
    /** What to call: {@code unet} with latents [batch,4,size,size], or {@code vae} decoding [1,4,size,size]. */
    record Call(String model, String component, int size, int batch) {
    }

    private MemoryProbe() {
    }

    /** Runs {@code call} in a child JVM with this process's intra-op threads; returns MiB above the weights. */
    static double peakMibAboveWeights(Call call) {
        String java = ProcessHandle.current().info().command().orElse("java");
        // Random weights are made from direct buffers that their arrays keep: no limit below the machine's memory.
        List<String> command = List.of(java, "-Xmx1g", "-XX:MaxDirectMemorySize=1t", "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=" + ai.djl.pytorch.jni.JniUtils.getNumThreads(),
                "-cp", System.getProperty("java.class.path"), MemoryProbe.class.getName(), call.model(),
                call.component(), Integer.toString(call.size()), Integer.toString(call.batch()));
        try {
            Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (child.waitFor() != 0) {
                throw new IllegalStateException("memory probe failed (exit " + child.exitValue() + "): " + out);
            }
            return parse(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing memory", e);
        }
    }

    /** The MiB of the probe's {@code above_weights_kb=N} line. */
    static double parse(String output) {
        String line = output.lines().filter(l -> l.startsWith("above_weights_kb=")).findFirst()
                .orElseThrow(() -> new IllegalStateException("memory probe printed no figure: " + output));
        return Long.parseLong(line.substring("above_weights_kb=".length()).trim()) / 1024.0;
    }

    public static void main(String[] args) throws IOException {
        Call call = new Call(args[0], args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            Parameters params = new Parameters();
            Runnable forward = build(call, params, manager);
            long weightsKb = status("VmRSS:");
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            forward.run();
            System.out.println("above_weights_kb=" + (status("VmHWM:") - weightsKb));
        }
    }

    private static Runnable build(Call call, Parameters params, NDManager manager) {
        var config = ReferenceConfigs.config(call.model(), call.component());
        Engine.getInstance().setRandomSeed(1234);
        if (call.component().equals("unet")) {
            UNet2DConditionModel unet = new UNet2DConditionModel(UNet2DConditionConfig.from(config), params);
            params.initRandom(manager, DataType.FLOAT32, 1234, Parameters.Initializer.pytorchLike());
            UNetInputs in = UNetInputs.random(unet.config(), call.batch(), call.size(), call.size() * 8, manager);
            return () -> unet.forward(in.sample(), 500f, in.text(), in.added()).close();
        }
        AutoencoderKL vae = new AutoencoderKL(AutoencoderKLConfig.from(config), params);
        params.initRandom(manager, DataType.FLOAT32, 1234, Parameters.Initializer.pytorchLike());
        NDArray latents = manager.randomNormal(new Shape(call.batch(), vae.config().latentChannels(), call.size(),
                call.size()));
        return () -> vae.decode(latents).close();
    }

    private static long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no " + field + " in /proc/self/status");
    }
}
