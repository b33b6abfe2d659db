package dev.ldmforge.runtime.hub;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Progress of one file's download as log lines (stderr in the CLI and on the driver, the executor's log on a
 * cluster): a line when it starts, one every few seconds, and one when it is done. Lines rather than a redrawn bar,
 * so that logs of concurrent downloads stay readable.
 */
final class DownloadProgress {
    private static final Logger LOG = LoggerFactory.getLogger(DownloadProgress.class);
    private static final long EVERY_NANOS = 5_000_000_000L;

    private final boolean enabled;
    private final String what;
    private final long size;
    private final long started = System.nanoTime();
    private long startBytes;
    private long lastReport = started;

    DownloadProgress(boolean enabled, String what, long size) {
        this.enabled = enabled;
        this.what = what;
        this.size = size;
    }

    void start(long have) {
        startBytes = have;
        if (enabled) {
            LOG.info("downloading {} ({}{})", what, bytes(size), have > 0 ? ", resuming at " + bytes(have) : "");
        }
    }

    void advance(long have) {
        long now = System.nanoTime();
        if (enabled && now - lastReport >= EVERY_NANOS) {
            lastReport = now;
            LOG.info("{}: {} of {} ({}%), {}/s", what, bytes(have), bytes(size), have * 100 / Math.max(1, size),
                    bytes(rate(have, now)));
        }
    }

    void done() {
        long now = System.nanoTime();
        if (enabled) {
            LOG.info("{}: done, {} in {} s ({}/s)", what, bytes(size),
                    String.format(Locale.ROOT, "%.1f", (now - started) / 1e9), bytes(rate(size, now)));
        }
    }

    private long rate(long have, long now) {
        return (long) ((have - startBytes) / Math.max(1e-3, (now - started) / 1e9));
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
