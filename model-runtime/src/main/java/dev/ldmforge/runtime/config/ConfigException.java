package dev.ldmforge.runtime.config;

/** A config file with a missing, malformed or unsupported value; the message names the file, field and value. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
