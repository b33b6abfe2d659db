package dev.ldmforge.schemas;

/** An input record that cannot become a request: the stable code and a message naming the field and value. */
public final class InvalidRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public InvalidRecordException(ErrorCode code, String message) {
        super(message, null, false, false); // expected, frequent, and fully described by code + message
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public Validation.Rejected rejected() {
        return new Validation.Rejected(code, getMessage());
    }
}
