package dev.ldmforge.jobs.input;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The files of a dataset location and their one format. A folder is listed recursively, skipping names that start
 * with {@code _} or {@code .} ({@code _SUCCESS}, {@code .crc}: Spark's convention).
 *
 * @param format null only when the folder holds no files and no format was given
 */
record InputFiles(PromptFormat format, List<String> files) {
    private static final int NAMED_FILES = 3;

    /**
     * @param forced the format of every file, or null to tell it from the extensions
     * @throws IllegalArgumentException when the location does not exist or its files' format is unclear
     */
    static InputFiles resolve(Configuration conf, String location, PromptFormat forced) {
        Path path = new Path(hadoopLocation(location));
        try {
            FileSystem fs = path.getFileSystem(conf);
            FileStatus status;
            try {
                status = fs.getFileStatus(path);
            } catch (FileNotFoundException e) {
                throw new IllegalArgumentException("prompt dataset not found: " + location, e);
            }
            List<String> files = status.isDirectory() ? list(fs, status.getPath()) : List.of(name(status.getPath()));
            return new InputFiles(forced != null ? forced : detect(location, files), files);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list prompt dataset " + location + ": " + e.getMessage(), e);
        }
    }

    /** Hadoop's S3 connector is S3A; {@code s3://} is what users write. */
    static String hadoopLocation(String location) {
        return location.startsWith("s3://") ? "s3a://" + location.substring("s3://".length()) : location;
    }

    private static List<String> list(FileSystem fs, Path root) throws IOException {
        List<String> files = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        int rootDepth = root.depth();
        while (it.hasNext()) {
            Path file = it.next().getPath();
            if (visible(file, rootDepth)) {
                files.add(name(file));
            }
        }
        files.sort(null);
        return files;
    }

    /** A file as Spark's readers take it: a Hadoop path string ({@code file:/a b}), not a URI. */
    private static String name(Path file) {
        return file.toString();
    }

    /**
     * A file as {@code source_file} shows it: its URI ({@code file:/a%20b}), as Spark writes
     * {@code _metadata.file_path}.
     */
    static String sourceFile(String file) {
        return new Path(file).toUri().toString();
    }

    private static boolean visible(Path file, int rootDepth) {
        for (Path p = file; p != null && p.depth() > rootDepth; p = p.getParent()) {
            if (p.getName().startsWith("_") || p.getName().startsWith(".")) {
                return false;
            }
        }
        return true;
    }

    private static PromptFormat detect(String location, List<String> files) {
        Map<String, List<String>> byFormat = files.stream().collect(Collectors.groupingBy(
                f -> PromptFormat.ofFileName(new Path(f).getName()).map(Enum::name).orElse("unknown"),
                TreeMap::new, Collectors.toList()));
        if (byFormat.containsKey("unknown")) {
            throw new IllegalArgumentException("cannot tell the format of " + named(byFormat.get("unknown"))
                    + " in " + location + " from the extension (.parquet, .jsonl/.json/.ndjson, .csv); "
                    + "name the format explicitly");
        }
        if (byFormat.size() > 1) {
            throw new IllegalArgumentException("mixed formats in " + location + ": " + byFormat.entrySet().stream()
                    .map(e -> e.getKey() + " " + named(e.getValue())).collect(Collectors.joining("; ")));
        }
        return byFormat.keySet().stream().findFirst().map(PromptFormat::valueOf).orElse(null);
    }

    private static String named(List<String> files) {
        String shown = files.stream().limit(NAMED_FILES).collect(Collectors.joining(", "));
        return files.size() > NAMED_FILES ? shown + " and " + (files.size() - NAMED_FILES) + " more" : shown;
    }
}
