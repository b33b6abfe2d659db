package dev.ldmforge.jobs.executor;

import dev.ldmforge.runtime.hub.HubSettings;

import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * A job's Hugging Face settings ({@code --conf ldmforge.hub.*}), shipped to the executors. Each JVM starts from its
 * own environment ({@code HF_HOME}, {@code HF_HUB_CACHE}, {@code HF_TOKEN} or the token file, {@code HF_HUB_OFFLINE}:
 * on a cluster set them with {@code spark.executorEnv.*}) and applies these on top. The endpoint is the driver's, so
 * that executors download the commit from the Hub that resolved it. The token is never part of a job's settings:
 * those are written into {@code _SUMMARY.json}.
 *
 * @param endpoint {@code ldmforge.hub.endpoint}, else the driver's {@code HF_ENDPOINT} or the public Hub
 * @param cache    {@code ldmforge.hub.cache}: the hub cache folder on every node, or null for each JVM's own
 * @param offline  {@code ldmforge.hub.offline}: true or false for every JVM, or null for each one's
 *                 {@code HF_HUB_OFFLINE}
 * @param mirror   {@code ldmforge.hub.mirror}: an {@code s3://} copy of a hub cache that executors copy snapshots
 *                 from when their node's cache lacks them, or null
 */
public record HubConf(String endpoint, String cache, Boolean offline, String mirror) implements Serializable {
    public static final String ENDPOINT = "ldmforge.hub.endpoint";
    public static final String CACHE = "ldmforge.hub.cache";
    public static final String OFFLINE = "ldmforge.hub.offline";
    public static final String MIRROR = "ldmforge.hub.mirror";

    public HubConf {
        URI.create(endpoint);
        if (mirror != null && !mirror.startsWith("s3://") && !mirror.startsWith("s3a://")) {
            throw new IllegalArgumentException(MIRROR + " must be an s3:// location, got " + mirror);
        }
        mirror = mirror == null ? null : mirror.replaceAll("/+$", "");
    }

    public static HubConf from(Map<String, String> conf) {
        String endpoint = conf.get(ENDPOINT);
        String offline = conf.get(OFFLINE);
        return new HubConf(endpoint != null ? endpoint : HubSettings.fromEnvironment().endpoint().toString(),
                conf.get(CACHE), offline == null ? null : HubSettings.truthy(offline), conf.get(MIRROR));
    }

    /** This JVM's settings: its environment with the job's. */
    public HubSettings settings() {
        HubSettings s = HubSettings.fromEnvironment().withEndpoint(URI.create(endpoint));
        if (cache != null) {
            s = s.withCache(Path.of(cache));
        }
        return offline != null ? s.withOffline(offline) : s;
    }
}
