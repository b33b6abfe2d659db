package dev.ldmforge.runtime.weights;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Unmaps a memory-mapped tensor as soon as its bytes are copied into engine memory, instead of whenever the garbage
 * collector gets to it: otherwise every mapped page of a multi-gigabyte checkpoint stays resident next to the
 * loaded weights and peak RSS doubles. Uses {@code sun.misc.Unsafe.invokeCleaner} (jdk.unsupported); where that is
 * unavailable the mapping is simply left to the collector.
 */
final class MappedBuffers {
    private static final Method INVOKE_CLEANER;
    private static final Object UNSAFE;

    static {
        Method invoke = null;
        Object unsafe = null;
        try {
            Class<?> type = Class.forName("sun.misc.Unsafe");
            Field field = type.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            unsafe = field.get(null);
            invoke = type.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            invoke = null;
        }
        INVOKE_CLEANER = invoke;
        UNSAFE = unsafe;
    }

    private MappedBuffers() {
    }

    /** Releases {@code mapped}; it must not be used afterwards (nor any view of it). */
    static void unmap(ByteBuffer mapped) {
        if (INVOKE_CLEANER == null || !mapped.isDirect()) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, mapped);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a slice or an already released buffer: the collector releases it instead
        }
    }
}
