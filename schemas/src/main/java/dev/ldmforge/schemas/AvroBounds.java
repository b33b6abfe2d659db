package dev.ldmforge.schemas;

import org.apache.avro.Schema;

/**
 * Walks a binary Avro datum against its schema without allocating anything, and refuses a length or item count that
 * the bytes cannot hold. Avro's own decoder allocates a string, bytes or collection of the size the datum declares
 * before reading it (up to the VM's array limit), so a 20-byte message declaring a 2 GB string would exhaust the
 * executor's heap: garbage must be refused here, as MALFORMED_AVRO, before it reaches the decoder.
 */
final class AvroBounds {
    private final byte[] bytes;
    private int pos;

    private AvroBounds(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Null if {@code bytes} can be decoded without over-allocating, else why not. */
    static String problem(byte[] bytes, Schema schema) {
        AvroBounds walk = new AvroBounds(bytes);
        try {
            walk.value(schema, 0);
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    private void value(Schema s, int depth) {
        if (depth > 64) {
            throw new IllegalStateException("nesting deeper than 64");
        }
        switch (s.getType()) {
            case NULL -> { }
            case BOOLEAN -> skip(1);
            case INT, LONG, ENUM -> varint();
            case FLOAT -> skip(4);
            case DOUBLE -> skip(8);
            case FIXED -> skip(s.getFixedSize());
            case STRING, BYTES -> skip(length("a " + s.getType().getName()));
            case RECORD -> s.getFields().forEach(f -> value(f.schema(), depth + 1));
            case UNION -> {
                long branch = varint();
                if (branch < 0 || branch >= s.getTypes().size()) {
                    throw new IllegalStateException("union branch " + branch + " of " + s.getTypes().size());
                }
                value(s.getTypes().get((int) branch), depth + 1);
            }
            case ARRAY, MAP -> {
                while (true) {
                    long count = varint();
                    if (count == 0) {
                        break;
                    }
                    if (count < 0) {
                        count = -count;
                        varint(); // the block's size in bytes
                    }
                    if (count > bytes.length - pos) {
                        throw new IllegalStateException("a block of " + count + " items in " + (bytes.length - pos)
                                + " remaining bytes");
                    }
                    for (long i = 0; i < count; i++) {
                        if (s.getType() == Schema.Type.MAP) {
                            skip(length("a map key"));
                            value(s.getValueType(), depth + 1);
                        } else {
                            value(s.getElementType(), depth + 1);
                        }
                    }
                }
            }
        }
    }

    private int length(String what) {
        long n = varint();
        if (n < 0 || n > bytes.length - pos) {
            throw new IllegalStateException(what + " of " + n + " bytes declared with " + (bytes.length - pos)
                    + " bytes remaining");
        }
        return (int) n;
    }

    private void skip(int n) {
        if (n > bytes.length - pos) {
            throw new IllegalStateException("the datum ends " + (n - (bytes.length - pos)) + " bytes early");
        }
        pos += n;
    }

    /** A zig-zag varint, as Avro writes ints and longs. */
    private long varint() {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= bytes.length) {
                throw new IllegalStateException("the datum ends inside a number");
            }
            int b = bytes[pos++] & 0xff;
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new IllegalStateException("a number longer than 10 bytes");
    }
}
