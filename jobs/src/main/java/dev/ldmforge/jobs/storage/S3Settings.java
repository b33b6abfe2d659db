package dev.ldmforge.jobs.storage;

import java.io.Serializable;
import java.net.URI;
import java.util.Map;

/**
 * How to reach S3 or an S3-compatible store. Credentials always come from the AWS default chain (environment,
 * system properties, profile, container/instance role); only addressing is configured here.
 *
 * @param endpoint    endpoint override (e.g. http://127.0.0.1:9000 for MinIO/S3Proxy), or null for AWS
 * @param region      region, or null for the SDK's default region chain (falls back to us-east-1)
 * @param pathStyle   path-style addressing, needed by most S3-compatible stores
 * @param maxAttempts attempts per request for 5xx and throttling errors, with exponential backoff
 */
public record S3Settings(String endpoint, String region, boolean pathStyle, int maxAttempts) implements Serializable {

    public static final String ENDPOINT = "ldmforge.s3.endpoint";
    public static final String REGION = "ldmforge.s3.region";
    public static final String PATH_STYLE = "ldmforge.s3.path-style";
    public static final String MAX_ATTEMPTS = "ldmforge.s3.max-attempts";

    public S3Settings {
        if (endpoint != null) {
            URI.create(endpoint);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException(MAX_ATTEMPTS + " must be at least 1, got " + maxAttempts);
        }
    }

    /** From {@code ldmforge.s3.*} settings (e.g. Spark conf), falling back to AWS_ENDPOINT_URL / AWS_REGION. */
    public static S3Settings from(Map<String, String> conf) {
        String endpoint = conf.getOrDefault(ENDPOINT, System.getenv("AWS_ENDPOINT_URL"));
        String region = conf.getOrDefault(REGION, System.getenv("AWS_REGION"));
        boolean pathStyle = Boolean.parseBoolean(conf.getOrDefault(PATH_STYLE, endpoint != null ? "true" : "false"));
        int attempts = Integer.parseInt(conf.getOrDefault(MAX_ATTEMPTS, "8"));
        return new S3Settings(blankToNull(endpoint), blankToNull(region), pathStyle, attempts);
    }

    /**
     * The same addressing for Hadoop's S3A connector (Spark's Parquet reads and writes), as {@code spark.hadoop.*}
     * settings, with the AWS SDK's default credentials chain so that S3A and the image store authenticate alike.
     */
    public Map<String, String> sparkHadoopConf() {
        Map<String, String> conf = new java.util.LinkedHashMap<>();
        conf.put("spark.hadoop.fs.s3a.aws.credentials.provider",
                "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider");
        if (endpoint != null) {
            conf.put("spark.hadoop.fs.s3a.endpoint", endpoint);
            conf.put("spark.hadoop.fs.s3a.connection.ssl.enabled", Boolean.toString(endpoint.startsWith("https")));
        }
        if (region != null) {
            conf.put("spark.hadoop.fs.s3a.endpoint.region", region);
        }
        conf.put("spark.hadoop.fs.s3a.path.style.access", Boolean.toString(pathStyle));
        conf.put("spark.hadoop.fs.s3a.attempts.maximum", Integer.toString(maxAttempts));
        return conf;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
