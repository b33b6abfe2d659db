package dev.ldmforge.runtime.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ldmforge.runtime.pipeline.DemoModel;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real HTTP server on 127.0.0.1 speaking the subset of the Hugging Face Hub API that model downloads use, plus a
 * second server standing for the CDN that LFS files redirect to:
 * <ul>
 *   <li>{@code GET /api/models/ORG/NAME[/revision/REV]}: {@code sha} and {@code siblings};</li>
 *   <li>{@code HEAD|GET /ORG/NAME/resolve/REV/FILE}: {@code X-Repo-Commit} and {@code ETag} (the git blob sha1) for
 *       regular files; for LFS files ({@code .safetensors}, {@code .bin}, {@code .ckpt}) a 302 to the CDN with
 *       {@code X-Linked-Etag} (the sha256) and {@code X-Linked-Size};</li>
 *   <li>errors as the Hub sends them: 404 with {@code X-Error-Code} RepoNotFound, RevisionNotFound, EntryNotFound;
 *       401 GatedRepo for a gated repository's files without its token;</li>
 *   <li>the CDN honours {@code Range} (206) and, as S3's presigned URLs do, refuses requests carrying an
 *       {@code Authorization} header (400).</li>
 * </ul>
 * Faults for tests: a connection dropped after N bytes of a file, corrupted bytes of the right size, a slow file, a
 * hook run after each model-info answer. Every request is logged.
 */
public final class HubTestServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    /** One request as the servers saw it; {@code nanos}: {@link System#nanoTime()} on arrival. */
    public record Request(String server, String method, String path, String range, boolean authorized, long nanos) {
    }

    private record Fault(long dropAfter, AtomicInteger drops, boolean corrupt, long bytesPerSecond) {
    }

    private static final class Repo {
        final Map<String, String> refs = new ConcurrentHashMap<>();
        final Map<String, Map<String, byte[]>> commits = new ConcurrentHashMap<>();
        volatile String token;
    }

    private final HttpServer hub;
    private final HttpServer cdn;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hub-test-server");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, byte[]> lfs = new ConcurrentHashMap<>();
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private final List<Request> log = new CopyOnWriteArrayList<>();
    private volatile Runnable afterInfo = () -> { };
    private boolean closed;

    private HubTestServer() throws IOException {
        hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cdn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hub.createContext("/", this::hub);
        cdn.createContext("/", this::cdn);
        hub.setExecutor(executor);
        cdn.setExecutor(executor);
        hub.start();
        cdn.start();
    }

    public static HubTestServer start() {
        try {
            return new HubTestServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + hub.getAddress().getPort();
    }

    /** The files of the built-in demo model as a diffusers repository holds them. */
    public static Map<String, byte[]> demoModel() {
        Path folder = DemoModel.folder();
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String name = folder.relativize(p).toString();
                if (!name.equals("MANIFEST.tsv")) {
                    files.put(name, Files.readAllBytes(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** Publishes a commit holding {@code files} and moves {@code main} to it; returns the commit hash. */
    public String publish(String repo, Map<String, byte[]> files) {
        Repo r = repos.computeIfAbsent(repo, k -> new Repo());
        MessageDigest sha1 = digest("SHA-1");
        sha1.update((repo + "\n" + r.commits.size() + "\n").getBytes(StandardCharsets.UTF_8));
        Map<String, byte[]> copy = new TreeMap<>(files);
        copy.forEach((name, bytes) -> {
            sha1.update(name.getBytes(StandardCharsets.UTF_8));
            sha1.update(bytes);
            if (isLfs(name)) {
                lfs.put(sha256(bytes), bytes);
            }
        });
        String commit = HexFormat.of().formatHex(sha1.digest());
        r.commits.put(commit, copy);
        r.refs.put("main", commit);
        return commit;
    }

    public void setBranch(String repo, String branch, String commit) {
        repos.get(repo).refs.put(branch, commit);
    }

    /** Files of {@code repo} need {@code Authorization: Bearer token} (model info stays public, as on the Hub). */
    public void gate(String repo, String token) {
        repos.get(repo).token = token;
    }

    /** The next {@code times} downloads of {@code file} (any repository) stop after {@code afterBytes}. */
    public void dropConnection(String file, long afterBytes, int times) {
        faults.put(file, new Fault(afterBytes, new AtomicInteger(times), false, 0));
    }

    /** Downloads of {@code file} send bytes of the right size but not the right content. */
    public void corrupt(String file) {
        faults.put(file, new Fault(-1, new AtomicInteger(), true, 0));
    }

    /** Downloads of {@code file} trickle at {@code bytesPerSecond}. */
    public void throttle(String file, long bytesPerSecond) {
        faults.put(file, new Fault(-1, new AtomicInteger(), false, bytesPerSecond));
    }

    public void clearFaults() {
        faults.clear();
    }

    /** Runs after every model-info answer (e.g. to move a branch once a job pinned it). */
    public void afterInfo(Runnable hook) {
        afterInfo = hook;
    }

    public List<Request> requests() {
        return List.copyOf(log);
    }

    /** Downloads (GETs with a body) of {@code file}: resolve GETs of regular files, CDN GETs of LFS files. */
    public List<Request> downloads(String file) {
        String sha = null;
        for (Repo r : repos.values()) {
            for (Map<String, byte[]> c : r.commits.values()) {
                if (c.containsKey(file) && isLfs(file)) {
                    sha = sha256(c.get(file));
                }
            }
        }
        String blob = sha == null ? null : "/blobs/" + sha;
        return log.stream().filter(q -> q.method().equals("GET") && (blob != null ? q.path().equals(blob)
                : q.server().equals("hub") && q.path().endsWith("/" + file))).toList();
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest("SHA-256").digest(bytes));
    }

    public static String gitBlobSha1(byte[] bytes) {
        MessageDigest d = digest("SHA-1");
        d.update(("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(d.digest(bytes));
    }

    private static boolean isLfs(String file) {
        return file.endsWith(".safetensors") || file.endsWith(".bin") || file.endsWith(".ckpt");
    }

    private void hub(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getRawPath();
        record(x, "hub");
        try {
            if (path.startsWith("/api/models/")) {
                info(x, path.substring("/api/models/".length()));
                return;
            }
            String[] parts = path.substring(1).split("/", 5);
            if (parts.length < 5 || !parts[2].equals("resolve")) {
                error(x, 404, null, "no such route " + path);
                return;
            }
            resolve(x, parts[0] + "/" + parts[1], decode(parts[3]), decode(parts[4]));
        } finally {
            x.close();
        }
    }

    private void info(HttpExchange x, String rest) throws IOException {
        String[] parts = rest.split("/", 4);
        String repoId = parts[0] + "/" + (parts.length > 1 ? parts[1] : "");
        Repo r = repos.get(repoId);
        if (r == null) {
            error(x, 404, "RepoNotFound", "Repository not found");
            return;
        }
        String revision = parts.length == 4 && parts[2].equals("revision") ? decode(parts[3]) : "main";
        String commit = commitOf(r, revision);
        if (commit == null) {
            error(x, 404, "RevisionNotFound", "Invalid rev id: " + revision);
            return;
        }
        ObjectNode body = JSON.createObjectNode().put("id", repoId).put("modelId", repoId).put("sha", commit);
        ArrayNode siblings = body.putArray("siblings");
        r.commits.get(commit).keySet().forEach(f -> siblings.addObject().put("rfilename", f));
        send(x, 200, JSON.writeValueAsBytes(body), "application/json");
        afterInfo.run();
    }

    private void resolve(HttpExchange x, String repoId, String revision, String file) throws IOException {
        Repo r = repos.get(repoId);
        if (r == null) {
            error(x, 404, "RepoNotFound", "Repository not found");
            return;
        }
        if (r.token != null && !("Bearer " + r.token).equals(x.getRequestHeaders().getFirst("Authorization"))) {
            error(x, 401, "GatedRepo", "Access to model " + repoId + " is restricted");
            return;
        }
        String commit = commitOf(r, revision);
        if (commit == null) {
            error(x, 404, "RevisionNotFound", "Invalid rev id: " + revision);
            return;
        }
        byte[] bytes = r.commits.get(commit).get(file);
        if (bytes == null) {
            error(x, 404, "EntryNotFound", file + " does not exist at " + commit);
            return;
        }
        x.getResponseHeaders().set("X-Repo-Commit", commit);
        if (isLfs(file)) {
            String sha = sha256(bytes);
            x.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
            x.getResponseHeaders().set("X-Linked-Size", Long.toString(bytes.length));
            x.getResponseHeaders().set("ETag", "\"" + sha + "\"");
            x.getResponseHeaders().set("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/blobs/" + sha
                    + "?X-Amz-Signature=test");
            x.sendResponseHeaders(302, -1);
            return;
        }
        x.getResponseHeaders().set("ETag", "\"" + gitBlobSha1(bytes) + "\"");
        serve(x, bytes, faults.get(file));
    }

    private void cdn(HttpExchange x) throws IOException {
        record(x, "cdn");
        try {
            if (x.getRequestHeaders().containsKey("Authorization")) {
                error(x, 400, null, "Only one auth mechanism allowed");
                return;
            }
            String path = x.getRequestURI().getPath();
            byte[] bytes = path.startsWith("/blobs/") ? lfs.get(path.substring("/blobs/".length())) : null;
            if (bytes == null) {
                error(x, 404, null, "no such blob");
                return;
            }
            serve(x, bytes, faultFor(bytes));
        } finally {
            x.close();
        }
    }

    private Fault faultFor(byte[] bytes) {
        for (Repo r : repos.values()) {
            for (Map<String, byte[]> c : r.commits.values()) {
                for (Map.Entry<String, byte[]> e : c.entrySet()) {
                    if (e.getValue() == bytes || java.util.Arrays.equals(e.getValue(), bytes)) {
                        Fault f = faults.get(e.getKey());
                        if (f != null) {
                            return f;
                        }
                    }
                }
            }
        }
        return null;
    }

    /** Sends the file, from the requested offset, with the fault's behaviour. */
    private static void serve(HttpExchange x, byte[] bytes, Fault fault) throws IOException {
        Matcher m = RANGE.matcher(String.valueOf(x.getRequestHeaders().getFirst("Range")));
        int start = m.matches() ? Integer.parseInt(m.group(1)) : 0;
        if (start > bytes.length) {
            x.sendResponseHeaders(416, -1);
            return;
        }
        byte[] body = bytes;
        if (fault != null && fault.corrupt()) {
            body = bytes.clone();
            body[body.length / 2] ^= 0x5a;
        }
        int length = bytes.length - start;
        if (start > 0) {
            x.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (bytes.length - 1) + "/"
                    + bytes.length);
        }
        if (x.getRequestMethod().equals("HEAD")) {
            x.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
            x.sendResponseHeaders(200, -1);
            return;
        }
        x.sendResponseHeaders(start > 0 ? 206 : 200, length);
        OutputStream out = x.getResponseBody();
        long dropAt = fault != null && fault.dropAfter() >= 0 && fault.drops().getAndUpdate(n -> Math.max(0, n - 1)) > 0
                ? fault.dropAfter() : Long.MAX_VALUE;
        int chunk = 64 * 1024;
        for (int pos = start; pos < bytes.length; pos += chunk) {
            int n = Math.min(chunk, bytes.length - pos);
            if (pos + n > dropAt) {
                out.write(body, pos, (int) Math.max(0, dropAt - pos));
                out.flush();
                throw new IOException("test fault: connection dropped after " + dropAt + " bytes");
            }
            out.write(body, pos, n);
            if (fault != null && fault.bytesPerSecond() > 0) {
                out.flush();
                sleep(n * 1000L / fault.bytesPerSecond());
            }
        }
    }

    private static String commitOf(Repo r, String revision) {
        return r.commits.containsKey(revision) ? revision : r.refs.get(revision);
    }

    private void record(HttpExchange x, String server) {
        log.add(new Request(server, x.getRequestMethod(), x.getRequestURI().getPath(),
                x.getRequestHeaders().getFirst("Range"), x.getRequestHeaders().containsKey("Authorization"),
                System.nanoTime()));
    }

    private static void error(HttpExchange x, int status, String code, String message) throws IOException {
        if (code != null) {
            x.getResponseHeaders().set("X-Error-Code", code);
        }
        x.getResponseHeaders().set("X-Error-Message", message);
        send(x, status, ("{\"error\": " + JSON.writeValueAsString(message) + "}").getBytes(StandardCharsets.UTF_8),
                "application/json");
    }

    private static void send(HttpExchange x, int status, byte[] body, String type) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        if (x.getRequestMethod().equals("HEAD")) {
            x.sendResponseHeaders(status, -1);
            return;
        }
        x.sendResponseHeaders(status, body.length);
        x.getResponseBody().write(body);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops both servers: afterwards nothing answers on their ports. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        hub.stop(0);
        cdn.stop(0);
        executor.shutdownNow();
    }

    /** The requests, for assertion messages. */
    public String describeRequests() {
        List<String> lines = new ArrayList<>();
        log.forEach(q -> lines.add(q.server() + " " + q.method() + " " + q.path() + (q.range() != null ? " Range: "
                + q.range() : "")));
        return String.join("\n", lines);
    }
}
