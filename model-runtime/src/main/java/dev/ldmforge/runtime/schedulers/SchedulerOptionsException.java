package dev.ldmforge.runtime.schedulers;

/**
 * A request's scheduler options ({@code timestep_spacing}, {@code use_karras_sigmas}) that its scheduler cannot honour:
 * an unknown value or an impossible combination. The message names the field and the value.
 */
public final class SchedulerOptionsException extends IllegalArgumentException {
    public SchedulerOptionsException(String message) {
        super(message);
    }
}
