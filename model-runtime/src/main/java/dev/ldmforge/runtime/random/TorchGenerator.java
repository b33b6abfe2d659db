package dev.ldmforge.runtime.random;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/**
 * Reproduces {@code g = torch.Generator("cpu").manual_seed(seed)} followed by successive {@code torch.randn(shape,
 * generator=g)} calls bit for bit. It drives libtorch's own CPU generator, which is process-global: every sequence is
 * seeded and drawn under one lock, so concurrent requests in one JVM never interleave their draws. Nothing else in
 * the process may draw from the engine generator outside this class.
 */
public final class TorchGenerator {
    private static final Object LOCK = new Object();

    private TorchGenerator() {
    }

    /**
     * Draws {@code randn} arrays of the given shapes, in order, from one generator seeded with {@code seed}, on the CPU,
     * then moves them to {@code target}'s device and attaches them to it. {@code seed} is torch's unsigned 64-bit seed
     * as the bits of a long (2^63 + 12345 is passed as {@code Long.parseUnsignedLong("9223372036854788153")}).
     */
    public static NDList randn(long seed, List<Shape> shapes, NDManager target) {
        return draw(seed, shapes, target, false);
    }

    /** As {@link #randn} for {@code torch.rand} (uniform on [0, 1)). */
    public static NDList rand(long seed, List<Shape> shapes, NDManager target) {
        return draw(seed, shapes, target, true);
    }

    private static NDList draw(long seed, List<Shape> shapes, NDManager target, boolean uniform) {
        NDList out = new NDList(shapes.size());
        try (NDManager cpu = NDManager.newBaseManager(Device.cpu(), target.getEngine().getEngineName())) {
            synchronized (LOCK) {
                // torch's mt19937 seeds from the low 32 bits only, so the truncation loses nothing
                cpu.getEngine().setRandomSeed((int) seed);
                for (Shape shape : shapes) {
                    out.add(uniform ? cpu.randomUniform(0f, 1f, shape, DataType.FLOAT32)
                            : cpu.randomNormal(0f, 1f, shape, DataType.FLOAT32));
                }
            }
            for (int i = 0; i < out.size(); i++) {
                NDArray moved = out.get(i).toDevice(target.getDevice(), false);
                moved.attach(target);
                out.set(i, moved);
            }
        }
        return out;
    }
}
