package dev.ldmforge.jobs.storage;

import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import software.amazon.awssdk.core.sync.ResponseTransformer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An S3 bucket prefix. Conditional writes use {@code If-None-Match: *}: S3 answers 412 when the key exists, and the
 * stored object wins. The sha256 of every object is stored as user metadata so the winner's hash is known without
 * downloading it. 5xx and throttling answers are retried by the SDK with exponential backoff.
 */
public final class S3ObjectStore implements ObjectStore {
    private static final String SHA256_META = "sha256";
    /** A concurrent conditional write to the same key; S3 asks the loser to retry. */
    private static final int CONDITIONAL_CONFLICT = 409;

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    public S3ObjectStore(URI location, S3Settings settings) {
        this(client(settings), location);
    }

    S3ObjectStore(S3Client s3, URI location) {
        String scheme = location.getScheme();
        if (!"s3".equals(scheme) && !"s3a".equals(scheme)) {
            throw new IllegalArgumentException("not an s3:// location: " + location);
        }
        if (location.getHost() == null || location.getHost().isBlank()) {
            throw new IllegalArgumentException("s3 location has no bucket: " + location);
        }
        this.s3 = s3;
        this.bucket = location.getHost();
        String path = location.getPath() == null ? "" : location.getPath().replaceAll("^/+|/+$", "");
        this.prefix = path.isEmpty() ? "" : path + "/";
    }

    public static S3Client client(S3Settings settings) {
        S3ClientBuilder b = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder())
                .forcePathStyle(settings.pathStyle())
                // S3-compatible stores do not all accept the newer default checksum headers.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(settings.maxAttempts())
                        .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(100), Duration.ofSeconds(20)))
                        .build()));
        if (settings.endpoint() != null) {
            b.endpointOverride(URI.create(settings.endpoint()));
        }
        b.region(settings.region() != null ? Region.of(settings.region()) : Region.US_EAST_1);
        return b.build();
    }

    @Override
    public PutResult putIfAbsent(String key, byte[] data, String contentType) {
        return conditionalPut(key, contentType, Sha256.hex(data), () -> RequestBody.fromBytes(data));
    }

    @Override
    public PutResult putFileIfAbsent(String key, java.nio.file.Path file, String contentType) {
        String sha;
        try {
            sha = Sha256.hex(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return conditionalPut(key, contentType, sha, () -> RequestBody.fromFile(file));
    }

    private String storedSha256(String key) {
        return sha256(key).orElseThrow(() -> new IllegalStateException("vanished after a 412: " + uri(key)));
    }

    /** PUT with If-None-Match: *: 412 = someone stored it first; a concurrent conditional write (409) is retried. */
    private PutResult conditionalPut(String key, String contentType, String sha,
                                     java.util.function.Supplier<RequestBody> body) {
        for (int attempt = 1; ; attempt++) {
            try {
                s3.putObject(r -> r.bucket(bucket).key(prefix + key).contentType(contentType).ifNoneMatch("*")
                        .metadata(Map.of(SHA256_META, sha)), body.get());
                return new PutResult(true, sha, uri(key));
            } catch (S3Exception e) {
                if (e.statusCode() == 412) {
                    return new PutResult(false, storedSha256(key), uri(key));
                }
                if (e.statusCode() != CONDITIONAL_CONFLICT || attempt >= 5) {
                    throw e;
                }
            }
        }
    }

    @Override
    public Optional<String> sha256(String key) {
        return head(key).map(head -> {
            String sha = head.metadata().get(SHA256_META);
            return sha != null ? sha : Sha256.hex(get(key).orElseThrow());
        });
    }

    @Override
    public void put(String key, byte[] data, String contentType) {
        s3.putObject(r -> r.bucket(bucket).key(prefix + key).contentType(contentType)
                .metadata(Map.of(SHA256_META, Sha256.hex(data))), RequestBody.fromBytes(data));
    }

    @Override
    public boolean exists(String key) {
        return head(key).isPresent();
    }

    @Override
    public Optional<byte[]> get(String key) {
        try {
            ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(r -> r.bucket(bucket).key(prefix + key));
            return Optional.of(bytes.asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    /** The object's size from its metadata (no body is read), empty if it does not exist. */
    public Optional<Long> size(String key) {
        return head(key).map(HeadObjectResponse::contentLength);
    }

    /** The object's metadata, empty if it does not exist (a HEAD's 404 has no error body to parse). */
    private Optional<HeadObjectResponse> head(String key) {
        try {
            return Optional.of(s3.headObject(r -> r.bucket(bucket).key(prefix + key)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * At most {@code maxBytes + 1} bytes of the object (a ranged GET, and the stream is read no further), so that a
     * caller sees an object larger than its limit without fetching it; empty if it does not exist.
     */
    public Optional<byte[]> readAtMost(String key, long maxBytes) {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(r -> r.bucket(bucket).key(prefix + key)
                .range("bytes=0-" + maxBytes))) {
            return Optional.of(in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + uri(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String download(String key, Path target) {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.deleteIfExists(target);
            GetObjectResponse response = s3.getObject(r -> r.bucket(bucket).key(prefix + key),
                    ResponseTransformer.toFile(target));
            long size = Files.size(target);
            if (response.contentLength() != null && response.contentLength() != size) {
                throw new IOException("size " + size + " != " + response.contentLength());
            }
            String sha = Sha256.hex(target);
            String recorded = response.metadata().get(SHA256_META);
            if (recorded != null && !recorded.equals(sha)) {
                throw new IOException("sha256 " + sha + " != recorded " + recorded);
            }
            return sha;
        } catch (IOException e) {
            throw new UncheckedIOException("download of " + uri(key) + " failed verification: " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> list(String keyPrefix) {
        List<String> keys = new ArrayList<>();
        for (S3Object o : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix + keyPrefix)).contents()) {
            if (!o.key().endsWith("/")) { // folder markers some S3-compatible stores list
                keys.add(o.key().substring(prefix.length()));
            }
        }
        return keys;
    }

    @Override
    public String uri(String key) {
        return "s3://" + bucket + "/" + prefix + key;
    }

    @Override
    public void close() {
        s3.close();
    }
}
