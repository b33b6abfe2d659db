package dev.ldmforge.runtime.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a benchmark ran on: CPU, vector extensions, memory, engine versions, threads and the load at the time. */
public record MachineInfo(String cpuModel, int logicalCpus, List<String> vectorFlags, long memoryBytes, String os,
                          String java, String djlVersion, String libtorchVersion, int intraOpThreads,
                          int interOpThreads, double loadAverage) {

    public static MachineInfo detect() {
        String cpuinfo = read("/proc/cpuinfo");
        String model = field(cpuinfo, "model name");
        List<String> flags = Arrays.stream(field(cpuinfo, "flags").split(" "))
                .filter(f -> f.equals("fma") || f.equals("avx2") || f.startsWith("avx512") || f.startsWith("amx"))
                .sorted().toList();
        long memory = Long.parseLong(field(read("/proc/meminfo"), "MemTotal").replaceAll("[^0-9]", "")) * 1024;
        Engine engine = Engine.getEngine("PyTorch");
        return new MachineInfo(model, Runtime.getRuntime().availableProcessors(), flags, memory,
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.version"), Engine.getDjlVersion(), engine.getVersion(),
                JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(), currentLoadAverage());
    }

    /** The 1-minute load average: on a shared machine, timings are only comparable at similar load. */
    public static double currentLoadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cpu", cpuModel);
        out.put("logical_cpus", logicalCpus);
        out.put("flags", vectorFlags);
        out.put("memory_gib", Math.round(memoryBytes / (1024.0 * 1024 * 1024) * 10) / 10.0);
        out.put("os", os);
        out.put("java", java);
        out.put("djl", djlVersion);
        out.put("libtorch", libtorchVersion);
        out.put("intra_op_threads", intraOpThreads);
        out.put("inter_op_threads", interOpThreads);
        out.put("load_average_1m", loadAverage);
        return out;
    }

    /** One line per figure, for the terminal. */
    public String describe() {
        return "cpu: " + cpuModel + " (" + logicalCpus + " logical cpus; " + String.join(" ", vectorFlags) + ")\n"
                + "memory: " + toJson().get("memory_gib") + " GiB; " + os + "; java " + java + "\n"
                + "engine: DJL " + djlVersion + ", libtorch " + libtorchVersion + "; threads: " + intraOpThreads
                + " intra-op, " + interOpThreads + " inter-op\n"
                + "load average (1 min) at start: " + loadAverage;
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            return "";
        }
    }

    private static String field(String text, String name) {
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return "unknown";
    }
}
