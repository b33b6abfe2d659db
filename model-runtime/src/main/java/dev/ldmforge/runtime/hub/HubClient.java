package dev.ldmforge.runtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of the Hub's HTTP API that downloads a model, with huggingface_hub's conventions:
 * {@code GET /api/models/REPO/revision/REV} for the commit and the file list, {@code HEAD /REPO/resolve/COMMIT/FILE}
 * for a file's ETag ({@code X-Linked-Etag} for LFS files, else {@code ETag}), size ({@code X-Linked-Size}, else
 * {@code Content-Length}) and commit ({@code X-Repo-Commit}), then {@code GET} of the same URL, following redirects
 * (LFS files live on a CDN). The token goes to the Hub only, never to the host a redirect leads to. Downloads resume
 * with {@code Range} after a dropped connection; 429 and 5xx answers are retried with backoff.
 */
final class HubClient {
    private static final Logger LOG = LoggerFactory.getLogger(HubClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final int READ_TIMEOUT_MS = 60_000;
    private static final int ATTEMPTS = 5;
    private static final int MAX_REDIRECTS = 10;
    private static final int MAX_INFO_BYTES = 32 << 20;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-\\d+/(\\d+|\\*)");
    private static final String USER_AGENT = "ldmforge (Java " + Runtime.version().feature() + ")";

    /** The Hub could not be reached at all (no answer), as opposed to an answer that refuses. */
    static final class Unreachable extends HubException {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A revision's commit and the paths of its files. */
    record RepoInfo(String commit, Set<String> files) {
    }

    /** What {@code HEAD .../resolve/COMMIT/FILE} says of one file. */
    record FileMetadata(String commit, String etag, long size) {
    }

    private final HubSettings settings;

    HubClient(HubSettings settings) {
        this.settings = settings;
    }

    RepoInfo info(HubModelId id, String revision) {
        URI uri = URI.create(settings.endpoint() + "/api/models/" + id.repo() + "/revision/" + encode(revision));
        JsonNode body = withRetries(uri, () -> {
            HttpURLConnection c = follow("GET", uri, 0, true);
            int status = c.getResponseCode();
            if (status != 200) {
                throw answer(status, c, id, revision, null);
            }
            try (InputStream in = c.getInputStream()) {
                byte[] bytes = in.readNBytes(MAX_INFO_BYTES + 1);
                if (bytes.length > MAX_INFO_BYTES) {
                    throw new HubException(uri + ": model info over " + MAX_INFO_BYTES + " bytes");
                }
                return JSON.readTree(bytes);
            }
        });
        String commit = body.path("sha").asText("");
        if (!HubModelId.isCommitHash(commit)) {
            throw new HubException(uri + ": the answer names no commit (\"sha\": " + body.get("sha") + ")");
        }
        Set<String> files = new LinkedHashSet<>();
        for (JsonNode sibling : body.path("siblings")) {
            if (sibling.path("rfilename").isTextual()) {
                files.add(sibling.get("rfilename").asText());
            }
        }
        return new RepoInfo(commit, files);
    }

    FileMetadata metadata(HubModelId id, String commit, String file) {
        URI uri = resolveUri(id, commit, file);
        return withRetries(uri, () -> {
            // Only relative redirects (a renamed repository): an LFS file's 302 to the CDN carries the headers.
            HttpURLConnection c = follow("HEAD", uri, 0, true);
            int status = c.getResponseCode();
            if (status >= 400) {
                throw answer(status, c, id, commit, file);
            }
            String etag = normalizeEtag(c.getHeaderField("X-Linked-Etag") != null ? c.getHeaderField("X-Linked-Etag")
                    : c.getHeaderField("ETag"));
            String size = c.getHeaderField("X-Linked-Size") != null ? c.getHeaderField("X-Linked-Size")
                    : c.getHeaderField("Content-Length");
            if (etag == null || size == null) {
                throw new HubException(uri + ": the answer (HTTP " + status + ") has no " + (etag == null ? "ETag"
                        : "size") + "; is " + settings.endpoint() + " a Hugging Face Hub (HF_ENDPOINT)?");
            }
            try {
                return new FileMetadata(c.getHeaderField("X-Repo-Commit"), etag, Long.parseLong(size.strip()));
            } catch (NumberFormatException e) {
                throw new HubException(uri + ": not a size: " + size);
            }
        });
    }

    /**
     * Downloads {@code file} at {@code commit} into {@code incomplete}, continuing a partial file where it ends and
     * feeding {@code digest} with every byte; returns once the announced size is reached.
     */
    void download(HubModelId id, String commit, String file, FileMetadata meta, Path incomplete, BlobDigest digest,
                  DownloadProgress progress) {
        URI uri = resolveUri(id, commit, file);
        Exception last = null;
        progress.start(sizeOf(incomplete));
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                long have = sizeOf(incomplete);
                if (have > meta.size()) {
                    Files.delete(incomplete);
                    have = 0;
                }
                if (digest.consumed() != have) {
                    prime(digest, incomplete, have);
                }
                if (have == meta.size()) {
                    progress.done();
                    return;
                }
                HttpURLConnection c = follow("GET", uri, have, false);
                int status = c.getResponseCode();
                if (status == 429 || status >= 500) {
                    last = new IOException("HTTP " + status);
                } else if (status == 200 || status == 206) {
                    boolean append = status == 206 && rangeStart(c) == have;
                    if (!append && have > 0) {
                        digest.reset(); // the server sent the whole file: start over
                    }
                    if (copy(c, incomplete, append, meta.size(), digest, progress)) {
                        progress.done();
                        return;
                    }
                    last = new IOException("connection closed after " + sizeOf(incomplete) + " of " + meta.size()
                            + " bytes");
                } else if (status == 416) {
                    Files.deleteIfExists(incomplete); // our partial file does not fit the blob: start over
                    digest.reset();
                    last = new IOException("HTTP 416 for a partial file");
                } else {
                    throw answer(status, c, id, commit, file);
                }
            } catch (IOException e) {
                last = e;
            }
            if (attempt < ATTEMPTS) {
                LOG.warn("{}@{}: download of {} interrupted at {} of {} ({}); resuming", id.repo(), shortCommit(commit),
                        file, DownloadProgress.bytes(sizeOf(incomplete)), DownloadProgress.bytes(meta.size()),
                        last.getMessage());
                backoff(attempt);
            }
        }
        throw new HubException(file + " of " + id.repo() + "@" + commit + ": download failed after " + ATTEMPTS
                + " attempts (" + Objects.requireNonNull(last).getMessage() + "); the partial file " + incomplete
                + " is kept and resumed by the next attempt", last);
    }

    /** Appends (or writes) the body to {@code target}; true when the announced size is reached. */
    private static boolean copy(HttpURLConnection c, Path target, boolean append, long size, BlobDigest digest,
                                DownloadProgress progress) throws IOException {
        long total = append ? sizeOf(target) : 0;
        try (InputStream in = c.getInputStream();
             OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (total + n > size) {
                    throw new HubException(c.getURL() + ": more bytes than the announced " + size);
                }
                out.write(buffer, 0, n);
                digest.update(buffer, 0, n);
                total += n;
                progress.advance(total);
            }
        }
        return total == size;
    }

    /** Feeds the digest with the first {@code length} bytes already on disk (a download resumed in a new process). */
    private static void prime(BlobDigest digest, Path file, long length) throws IOException {
        digest.reset();
        if (length == 0) {
            return;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            long left = length;
            int n;
            while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
                digest.update(buffer, 0, n);
                left -= n;
            }
        }
    }

    private static long rangeStart(HttpURLConnection c) {
        String range = c.getHeaderField("Content-Range");
        Matcher m = range == null ? null : CONTENT_RANGE.matcher(range.strip());
        return m != null && m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** One request with its redirects; {@code relativeOnly} stops at a redirect to another host. */
    private HttpURLConnection follow(String method, URI start, long rangeStart, boolean relativeOnly)
            throws IOException {
        URI uri = start;
        for (int i = 0; i <= MAX_REDIRECTS; i++) {
            HttpURLConnection c = open(method, uri, rangeStart);
            int status = c.getResponseCode();
            String location = c.getHeaderField("Location");
            boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
            if (!redirect || location == null) {
                return c;
            }
            URI target = URI.create(location);
            if (relativeOnly && target.isAbsolute()) {
                return c;
            }
            discard(c);
            uri = uri.resolve(target);
        }
        throw new HubException(start + ": more than " + MAX_REDIRECTS + " redirects");
    }

    private HttpURLConnection open(String method, URI uri, long rangeStart) throws IOException {
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new HubException("refusing to follow " + uri + ": not http(s)");
        }
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setConnectTimeout(CONNECT_TIMEOUT_MS);
        c.setReadTimeout(READ_TIMEOUT_MS);
        c.setRequestMethod(method);
        c.setRequestProperty("User-Agent", USER_AGENT);
        c.setRequestProperty("Accept-Encoding", "identity");
        if (settings.token() != null && sameOrigin(uri, settings.endpoint())) {
            c.setRequestProperty("Authorization", "Bearer " + settings.token());
        }
        if (rangeStart > 0) {
            c.setRequestProperty("Range", "bytes=" + rangeStart + "-");
        }
        return c;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static void discard(HttpURLConnection c) {
        try (InputStream in = c.getInputStream()) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // a redirect's body is of no interest
        }
    }

    private static void discardError(HttpURLConnection c) {
        try (InputStream in = c.getErrorStream()) {
            if (in != null) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        } catch (IOException ignored) {
            // an error's body is of no interest: the headers say what happened
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException;
    }

    /**
     * Runs an API or HEAD request, retrying 429/5xx and dropped connections; no answer at all (refused, unknown
     * host, connect timeout) is {@link Unreachable} at once, so that callers fall back to the cache without delay.
     */
    private <T> T withRetries(URI uri, Call<T> call) {
        IOException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                return call.run();
            } catch (ConnectException | UnknownHostException | NoRouteToHostException e) {
                throw unreachable(uri, e);
            } catch (SocketTimeoutException e) {
                if (e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("connect")) {
                    throw unreachable(uri, e);
                }
                last = e;
            } catch (IOException e) {
                last = e;
            }
            if (attempt < ATTEMPTS) {
                backoff(attempt);
            }
        }
        throw new HubException(uri + ": failed after " + ATTEMPTS + " attempts: " + last.getMessage(), last);
    }

    private Unreachable unreachable(URI uri, IOException e) {
        return new Unreachable("cannot reach " + settings.endpoint() + " (" + e.getClass().getSimpleName() + ": "
                + e.getMessage() + ") for " + uri, e);
    }

    /** A 429 or 5xx answer, retried like a dropped connection. */
    private static final class Retry extends IOException {
        Retry(String message) {
            super(message);
        }
    }

    /** The error for an answer that is not a success: what was refused or missing, and what to do about it. */
    private HubException answer(int status, HttpURLConnection c, HubModelId id, String revision, String file)
            throws Retry {
        discardError(c);
        if (status == 429 || status >= 500) {
            throw new Retry("HTTP " + status + " from " + c.getURL());
        }
        String code = c.getHeaderField("X-Error-Code");
        String message = c.getHeaderField("X-Error-Message");
        String at = id.repo() + "@" + revision;
        String what = file == null ? at : file + " of " + at;
        String server = message != null ? " (" + message + ")" : "";
        if ("GatedRepo".equals(code)) {
            return new HubException(settings.endpoint() + " refused " + what + " (HTTP " + status + ", gated "
                    + "repository" + server + "): accept its conditions on the Hub, then set HF_TOKEN (or run "
                    + "`huggingface-cli login`, which writes $HF_HOME/token) to a token of that account"
                    + (settings.token() != null ? "; the token given has no access yet" : ""));
        }
        if (status == 401 || status == 403) {
            return new HubException(settings.endpoint() + " refused " + what + " (HTTP " + status + server + "): "
                    + (settings.token() == null ? "the repository is gated, private or does not exist; set HF_TOKEN "
                    + "(or run `huggingface-cli login`, which writes $HF_HOME/token) to a token with access"
                    : "the token given (HF_TOKEN or the token file) has no access to it, or it does not exist"));
        }
        if (status == 404) {
            if ("RevisionNotFound".equals(code)) {
                return new HubException(id.repo() + " has no revision " + revision + " at " + settings.endpoint()
                        + server + " (a branch, tag or commit hash)");
            }
            if ("EntryNotFound".equals(code) || file != null && !"RepoNotFound".equals(code)) {
                return new HubException(at + " has no file " + file + " at " + settings.endpoint() + server);
            }
            return new HubException("no repository " + id.repo() + (file == null && !"RepoNotFound".equals(code)
                    ? " or revision " + revision : "") + " at " + settings.endpoint() + server);
        }
        return new HubException(settings.endpoint() + " answered HTTP " + status + " for " + what + server);
    }

    private URI resolveUri(HubModelId id, String commit, String file) {
        StringBuilder path = new StringBuilder();
        for (String part : file.split("/")) {
            path.append('/').append(encode(part));
        }
        return URI.create(settings.endpoint() + "/" + id.repo() + "/resolve/" + encode(commit) + path);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** huggingface_hub's normalisation: no weak marker, no quotes. */
    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        e = e.replace("\"", "");
        return e.isEmpty() ? null : e;
    }

    private static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void backoff(int attempt) {
        try {
            Thread.sleep(Math.min(8_000L, 250L << attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException("interrupted while waiting to retry a download", e);
        }
    }

    static String shortCommit(String commit) {
        return commit.length() > 10 ? commit.substring(0, 10) : commit;
    }
}
