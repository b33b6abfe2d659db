package dev.ldmforge.runtime.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.unet.UNet2DConditionConfig;
import dev.ldmforge.runtime.unet.UNet2DConditionModel;
import dev.ldmforge.runtime.weights.SafetensorsFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child-process side of {@link LoadBenchmark}: declares the SD 1.5 UNet, loads the given safetensors into it and
 * prints {@code load_ms=<ms> vmhwm_kb=<kB>}.
 */
public final class LoadProbe {
    private LoadProbe() {
    }

    record Figures(double loadMs, long peakRssBytes) {
        static Figures parse(String output) {
            String line = output.lines().filter(l -> l.startsWith("load_ms=")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("load probe printed no figures: " + output));
            String[] parts = line.trim().split("\\s+");
            return new Figures(Double.parseDouble(parts[0].substring("load_ms=".length())),
                    Long.parseLong(parts[1].substring("vmhwm_kb=".length())) * 1024);
        }
    }

    public static void main(String[] args) throws IOException {
        Parameters params = new Parameters();
        new UNet2DConditionModel(UNet2DConditionConfig.from(ReferenceConfigs.config(ReferenceConfigs.SD15, "unet")),
                params);
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            long start = System.nanoTime();
            try (SafetensorsFile file = SafetensorsFile.open(Path.of(args[0]))) {
                params.load(file, manager, DataType.FLOAT32, key -> false);
            }
            double ms = (System.nanoTime() - start) / 1e6;
            System.out.println("load_ms=" + ms + " vmhwm_kb=" + vmHwmKb());
        }
    }

    private static long vmHwmKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
