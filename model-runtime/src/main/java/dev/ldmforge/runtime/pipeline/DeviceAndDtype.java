package dev.ldmforge.runtime.pipeline;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;

import java.util.Locale;

/**
 * Parses and checks a device and dtype before any native call, so an unsupported combination is a clear error and
 * never a crashed JVM: DJL 0.36's PyTorch engine aborts the process on any bfloat16 array, and float16 convolutions
 * and matmuls on CPU run below 1 GFLOP/s, so CPU runs float32 and float16 is for GPUs.
 */
public record DeviceAndDtype(Device device, DataType dtype) {

    public static DeviceAndDtype parse(String device, String dtype) {
        DataType type = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "float32", "fp32", "float" -> DataType.FLOAT32;
            case "float16", "fp16", "half" -> DataType.FLOAT16;
            case "bfloat16", "bf16" -> throw new IllegalArgumentException("dtype bfloat16 is not supported: DJL 0.36's "
                    + "PyTorch engine aborts the JVM on bfloat16 arrays; use float32 (CPU) or float16 (GPU)");
            default -> throw new IllegalArgumentException("unknown dtype " + dtype + " (float32 or float16)");
        };
        Device dev = parseDevice(device);
        if (dev.isGpu()) {
            int gpus = Engine.getEngine("PyTorch").getGpuCount();
            if (dev.getDeviceId() >= gpus) {
                throw new IllegalArgumentException("device " + device + " is not available: the PyTorch engine sees "
                        + gpus + " GPU(s) (the bundled natives are CPU-only; see deploy/README.md for CUDA)");
            }
        } else if (type == DataType.FLOAT16) {
            throw new IllegalArgumentException("dtype float16 is refused on CPU: libtorch has no fast float16 CPU "
                    + "kernels (< 1 GFLOP/s); use float32 on CPU, float16 on a GPU");
        }
        return new DeviceAndDtype(dev, type);
    }

    private static Device parseDevice(String device) {
        String d = device.toLowerCase(Locale.ROOT).trim();
        if (d.equals("cpu")) {
            return Device.cpu();
        }
        for (String prefix : new String[] {"gpu", "cuda"}) {
            if (d.equals(prefix)) {
                return Device.gpu(0);
            }
            if (d.startsWith(prefix + ":")) {
                try {
                    return Device.gpu(Integer.parseInt(d.substring(prefix.length() + 1)));
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        throw new IllegalArgumentException("unknown device " + device + " (cpu, gpu, gpu:N or cuda:N)");
    }

    public String deviceName() {
        return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
    }

    public String dtypeName() {
        return dtype == DataType.FLOAT16 ? "float16" : "float32";
    }
}
