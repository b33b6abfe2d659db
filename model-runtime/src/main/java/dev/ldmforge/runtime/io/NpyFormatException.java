package dev.ldmforge.runtime.io;

/** A {@code .npy} file or entry that is not a valid array of a supported type; the message names the source. */
public class NpyFormatException extends RuntimeException {
    public NpyFormatException(String message) {
        super(message);
    }
}
