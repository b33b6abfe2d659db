package dev.ldmforge.runtime.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How to reach the Hugging Face Hub and where its cache lives, read from huggingface_hub's environment variables so
 * that Python tools and this project share one cache:
 * <ul>
 *   <li>{@code HF_ENDPOINT}: the Hub (default {@code https://huggingface.co});</li>
 *   <li>{@code HF_TOKEN} (or the token file {@code HF_TOKEN_PATH}, default {@code $HF_HOME/token}, which
 *       {@code huggingface-cli login} writes): sent to the Hub for gated and private repositories;</li>
 *   <li>{@code HF_HUB_CACHE}: the cache (default {@code $HF_HOME/hub}; {@code HF_HOME} defaults to
 *       {@code $XDG_CACHE_HOME/huggingface}, i.e. {@code ~/.cache/huggingface});</li>
 *   <li>{@code HF_HUB_OFFLINE=1}: never touch the network, read the cache only;</li>
 *   <li>{@code HF_HUB_DISABLE_PROGRESS_BARS=1}: no download progress lines.</li>
 * </ul>
 * Built from a map so that tests and jobs can inject their own; the token never appears in {@link #toString()}.
 */
public record HubSettings(URI endpoint, String token, Path cache, boolean offline, boolean progress) {

    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");
    private static final Set<String> TRUE = Set.of("1", "ON", "YES", "TRUE");

    public HubSettings {
        if (endpoint == null || endpoint.getScheme() == null || endpoint.getHost() == null) {
            throw new IllegalArgumentException("HF_ENDPOINT must be an http(s) URL, got " + endpoint);
        }
        String text = endpoint.toString();
        endpoint = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        token = token == null || token.isBlank() ? null : token.strip();
        cache = cache.toAbsolutePath().normalize();
    }

    /** From this process's environment and home folder. */
    public static HubSettings fromEnvironment() {
        return from(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** From environment variables {@code env}; {@code home} stands for {@code ~}. */
    public static HubSettings from(Map<String, String> env, Path home) {
        Path cacheHome = nonBlank(env.get("XDG_CACHE_HOME")) != null ? Path.of(env.get("XDG_CACHE_HOME"))
                : home.resolve(".cache");
        Path hfHome = nonBlank(env.get("HF_HOME")) != null ? Path.of(env.get("HF_HOME"))
                : cacheHome.resolve("huggingface");
        String cache = first(env, "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE");
        String token = first(env, "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN");
        if (token == null) {
            String tokenPath = nonBlank(env.get("HF_TOKEN_PATH"));
            token = readToken(tokenPath != null ? Path.of(tokenPath) : hfHome.resolve("token"));
        }
        String endpoint = nonBlank(env.get("HF_ENDPOINT"));
        return new HubSettings(endpoint != null ? URI.create(endpoint) : DEFAULT_ENDPOINT, token,
                cache != null ? Path.of(cache) : hfHome.resolve("hub"), truthy(env.get("HF_HUB_OFFLINE")),
                !truthy(env.get("HF_HUB_DISABLE_PROGRESS_BARS")));
    }

    public HubSettings withEndpoint(URI value) {
        return new HubSettings(value, token, cache, offline, progress);
    }

    public HubSettings withToken(String value) {
        return new HubSettings(endpoint, value, cache, offline, progress);
    }

    public HubSettings withCache(Path value) {
        return new HubSettings(endpoint, token, value, offline, progress);
    }

    public HubSettings withOffline(boolean value) {
        return new HubSettings(endpoint, token, cache, value, progress);
    }

    /** huggingface_hub's reading of a boolean variable: 1, ON, YES or TRUE in any case. */
    public static boolean truthy(String value) {
        return value != null && TRUE.contains(value.strip().toUpperCase(Locale.ROOT));
    }

    private static String first(Map<String, String> env, String... names) {
        for (String name : names) {
            String v = nonBlank(env.get(name));
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String readToken(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return nonBlank(Files.readString(file).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Hugging Face token file " + file + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "HubSettings[endpoint=" + endpoint + ", token=" + (token == null ? "none" : "set") + ", cache=" + cache
                + ", offline=" + offline + "]";
    }
}
