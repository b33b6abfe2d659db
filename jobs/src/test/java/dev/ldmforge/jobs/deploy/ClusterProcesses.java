package dev.ldmforge.jobs.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The processes of a {@link LocalCluster} started in a work folder, from its pid files. */
final class ClusterProcesses {
    private ClusterProcesses() {
    }

    /** Executor id to pid of the executor JVMs running now: the workers' child processes. */
    static Map<String, Long> executorPids(Path work) {
        Map<String, Long> pids = new TreeMap<>();
        for (ProcessHandle p : all(work)) {
            List<String> args = List.of(p.info().arguments().orElse(new String[0]));
            int i = args.indexOf("--executor-id");
            if (i >= 0 && p.isAlive()) {
                pids.put(args.get(i + 1), p.pid());
            }
        }
        return pids;
    }

    /** The master, the workers and everything they spawned. */
    static List<ProcessHandle> all(Path work) {
        List<ProcessHandle> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(work.resolve("pids"))) {
            for (Path f : files.toList()) {
                ProcessHandle.of(Long.parseLong(Files.readString(f).trim())).ifPresent(daemon -> {
                    all.add(daemon);
                    daemon.descendants().forEach(all::add);
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the pid files in " + work.resolve("pids"), e);
        }
        return all;
    }
}
