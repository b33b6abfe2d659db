package dev.ldmforge.runtime.hub;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * What a blob's ETag promises about its bytes. The Hub names LFS files by the sha256 of their content (64 hex
 * digits) and other files by their git blob id, the sha1 of {@code "blob <size>\0" + content} (40 hex digits): both
 * are checked before a blob enters the cache. An ETag of another form (some proxies) checks the size alone.
 */
final class BlobDigest {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern GIT_SHA1 = Pattern.compile("[0-9a-f]{40}");

    private final String etag;
    private final long size;
    private final String algorithm;
    private MessageDigest digest;
    private long consumed;

    BlobDigest(String etag, long size) {
        this.etag = etag;
        this.size = size;
        this.algorithm = SHA256.matcher(etag).matches() ? "SHA-256" : GIT_SHA1.matcher(etag).matches() ? "SHA-1"
                : null;
        reset();
    }

    /** Whether the ETag can be checked (else the size alone is). */
    boolean verifiable() {
        return algorithm != null;
    }

    /** Starts over, for a download that restarts from the first byte. */
    void reset() {
        consumed = 0;
        if (algorithm == null) {
            digest = null;
            return;
        }
        try {
            digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (algorithm.equals("SHA-1")) {
            digest.update(("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Bytes of the blob fed so far. */
    long consumed() {
        return consumed;
    }

    void update(byte[] bytes, int offset, int length) {
        if (digest != null) {
            digest.update(bytes, offset, length);
        }
        consumed += length;
    }

    /** Null when the bytes are what the ETag promised, else why not. */
    String mismatch() {
        if (consumed != size) {
            return consumed + " bytes where the Hub announced " + size;
        }
        if (digest == null) {
            return null;
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        return actual.equals(etag) ? null : (algorithm.equals("SHA-256") ? "sha256 " : "git blob sha1 ") + actual
                + " where the Hub's ETag is " + etag;
    }
}
