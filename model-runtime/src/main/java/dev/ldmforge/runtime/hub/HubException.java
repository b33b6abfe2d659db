package dev.ldmforge.runtime.hub;

/**
 * A hub model that cannot be had: refused or unknown by the Hub, unreachable, missing from the cache offline, or a
 * download that failed verification. The message names the repository, revision or file and what to do.
 */
public class HubException extends RuntimeException {
    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
