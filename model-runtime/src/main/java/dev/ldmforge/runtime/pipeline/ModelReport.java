package dev.ldmforge.runtime.pipeline;

import java.util.Map;

/**
 * What {@code ldmforge inspect} prints: the detected family, each component's architecture, parameter count and
 * stored dtypes, the weights hash (null when only the configs were read) and diffusers' default image size.
 */
public record ModelReport(String model, String family, boolean configOnly, String weightsSha256,
                          int defaultImageSize, Map<String, Component> components) {

    /**
     * @param storedDtypes tensors per stored dtype in the weight files (empty for config-only and built-in models)
     * @param architecture the config values that shape the network
     */
    public record Component(String className, long parameters, Map<String, Long> storedDtypes,
                            Map<String, Object> architecture) {
    }
}
