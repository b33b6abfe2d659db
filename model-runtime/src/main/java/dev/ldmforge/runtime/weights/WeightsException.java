package dev.ldmforge.runtime.weights;

/** A model file or folder that cannot be loaded; the message names the file and, where known, the tensor. */
public class WeightsException extends RuntimeException {
    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
