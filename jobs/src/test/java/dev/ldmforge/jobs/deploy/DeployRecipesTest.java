package dev.ldmforge.jobs.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every recipe in deploy/ parses, names a documented job main class and passes only options the jobs document.
 * The main classes are checked against the documented names and, once they exist on the classpath, for a main method.
 * The option lists mirror the CLI's documented options of {@code generate} and {@code stream}.
 */
class DeployRecipesTest {
    private static final Path DEPLOY = Path.of("").toAbsolutePath().getParent().resolve("deploy");

    /** The spark-submit main classes the jobs document, by CLI command. */
    static final Map<String, String> MAIN_CLASSES = Map.of(
            "dev.ldmforge.jobs.generate.GenerateMain", "generate",
            "dev.ldmforge.jobs.stream.StreamMain", "stream");

    private static final Set<String> COMMON = Set.of("--output", "--model", "--model-cache-dir", "--device", "--dtype",
            "--variant", "--attention-chunk", "--batch-size", "--master", "--conf", "--steps", "--guidance",
            "--scheduler", "--width", "--height", "--negative-prompt");
    private static final Map<String, Set<String>> JOB_OPTIONS = Map.of(
            "generate", union(COMMON, Set.of("--prompts", "--partitions")),
            "stream", union(COMMON, Set.of("--bootstrap-servers", "--topic", "--checkpoint", "--results-topic",
                    "--dead-letter-topic", "--available-now", "--kafka-option")));
    /** spark-submit's own options used before the application jar. */
    private static final Set<String> SPARK_SUBMIT = Set.of("--master", "--deploy-mode", "--class", "--conf",
            "--jars", "--files", "--name", "--driver-memory", "--executor-memory", "--executor-cores",
            "--num-executors");

    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");

    @Test
    void everyYamlAndJsonFileParses() throws IOException {
        List<Path> files = recipes("yaml", "yml", "json");
        assertTrue(files.size() >= 4, "recipes found: " + files);
        for (Path f : files) {
            assertFalse(read(f).isEmpty(), f + " has a document");
        }
    }

    @Test
    void sparkOperatorApplicationsRunDocumentedJobsOnTheImage() throws IOException {
        String dockerfile = Files.readString(DEPLOY.resolve("docker/Dockerfile"));
        int apps = 0;
        for (Path f : recipes("yaml", "yml")) {
            for (JsonNode doc : read(f)) {
                String kind = doc.path("kind").asText();
                if (!kind.endsWith("SparkApplication")) {
                    continue;
                }
                apps++;
                JsonNode spec = kind.equals("ScheduledSparkApplication") ? doc.at("/spec/template") : doc.get("spec");
                String job = job(f, spec.path("mainClass").asText());
                checkJobOptions(f, job, strings(spec.get("arguments")));
                assertEquals("local:///opt/ldmforge/lib/ldmforge.jar", spec.path("mainApplicationFile").asText(), f + "");
                assertTrue(dockerfile.contains("/opt/ldmforge/lib"), "the image provides the application jar");
                JsonNode conf = spec.get("sparkConf");
                conf.fieldNames().forEachRemaining(k -> assertTrue(k.startsWith("spark."), f + ": conf " + k));
                checkGpuConf(f, conf.path("spark.executor.resource.gpu.amount").asText(null),
                        conf.path("spark.task.resource.gpu.amount").asText(null),
                        conf.path("spark.executor.resource.gpu.discoveryScript").asText(null), dockerfile);
                assertEquals("nvidia.com", conf.path("spark.executor.resource.gpu.vendor").asText(), f + "");
                assertTrue(conf.path("spark.executor.extraJavaOptions").asText().contains("-Dai.djl.offline=true"));
                for (String pod : List.of("driver", "executor")) {
                    assertEquals("ldmforge-s3", spec.at("/" + pod + "/envFrom/0/secretRef/name").asText(),
                            f + ": " + pod + " reads the S3 credentials Secret");
                }
            }
        }
        assertEquals(2, apps, "a SparkApplication and a ScheduledSparkApplication");
    }

    @Test
    void emrStepsSubmitDocumentedJobs() throws IOException {
        for (Path f : recipes("json")) {
            for (JsonNode step : read(f)) { // readValues streams the elements of a top-level array
                List<String> args = strings(step.get("Args"));
                assertEquals("spark-submit", args.get(0), f + "");
                int jar = indexOf(args, a -> a.endsWith(".jar"));
                List<String> submit = args.subList(1, jar);
                for (String option : options(String.join(" ", submit))) {
                    assertTrue(SPARK_SUBMIT.contains(option), f + ": spark-submit option " + option);
                }
                String job = job(f, submit.get(submit.indexOf("--class") + 1));
                checkJobOptions(f, job, args.subList(jar + 1, args.size()));
                Map<String, String> conf = new HashMap<>();
                for (int i = 0; i < submit.size(); i++) {
                    if (submit.get(i).equals("--conf")) {
                        String[] kv = submit.get(i + 1).split("=", 2);
                        conf.put(kv[0], kv[1]);
                    }
                }
                checkGpuConf(f, conf.get("spark.executor.resource.gpu.amount"),
                        conf.get("spark.task.resource.gpu.amount"),
                        conf.get("spark.executor.resource.gpu.discoveryScript"),
                        Files.readString(DEPLOY.resolve("emr/bootstrap-ldmforge.sh")));
            }
        }
    }

    /** Cron lines and the Airflow DAG call submit.sh: each option is submit.sh's or the job's. */
    @Test
    void schedulesUseDocumentedOptions() throws IOException {
        Set<String> submitOptions = options(header(DEPLOY.resolve("submit.sh")));
        assertTrue(submitOptions.containsAll(Set.of("--master", "--gpus-per-executor", "--tasks-per-gpu", "--dry-run")));
        for (Path f : List.of(DEPLOY.resolve("schedule/crontab"), DEPLOY.resolve("schedule/ldmforge_dag.py"))) {
            String text = Files.readString(f);
            for (String job : List.of("generate", "stream")) {
                assertTrue(Pattern.compile("submit\\.sh\\b.*\\b" + job + "\\b", Pattern.DOTALL).matcher(text).find(),
                        f + " schedules " + job);
            }
            Set<String> known = union(submitOptions, union(JOB_OPTIONS.get("generate"), JOB_OPTIONS.get("stream")));
            for (String option : options(text)) {
                assertTrue(known.contains(option), f + ": unknown option " + option);
            }
        }
    }

    /**
     * The image and the EMR step point DJL at libtorch by version and flavour; the JNI bridge for that flavour must
     * be in the pytorch-jni jar on the classpath, since executors cannot download it.
     */
    @Test
    void libtorchSettingsMatchTheBundledJniLibrary() throws IOException {
        String jniVersion;
        try (var in = getClass().getClassLoader().getResourceAsStream("jnilib/pytorch.properties")) {
            assertNotNull(in, "pytorch-jni on the classpath");
            Properties p = new Properties();
            p.load(in);
            jniVersion = p.getProperty("jni_version");
        }
        Pattern version = Pattern.compile("PYTORCH_VERSION=([\\w.]+)");
        Pattern flavor = Pattern.compile("PYTORCH_FLAVOR=(\\w+)");
        for (Path f : List.of(DEPLOY.resolve("docker/Dockerfile"), DEPLOY.resolve("emr/generate-step.json"))) {
            String text = Files.readString(f);
            Matcher v = version.matcher(text);
            Matcher fl = flavor.matcher(text);
            assertTrue(v.find() && fl.find(), f + " sets PYTORCH_VERSION and PYTORCH_FLAVOR");
            assertTrue(jniVersion.startsWith(v.group(1) + "-"), f + ": libtorch " + v.group(1) + " vs JNI " + jniVersion);
            assertNotNull(getClass().getClassLoader().getResource("jnilib/linux-x86_64/" + fl.group(1)
                    + "/libdjl_torch.so"), f + ": pytorch-jni carries the " + fl.group(1) + " JNI library");
        }
        assertTrue(Files.readString(DEPLOY.resolve("docker/Dockerfile")).contains("2.7.1%2Bcu128.zip"),
                "the image downloads the libtorch it declares");
    }

    private static void checkJobOptions(Path f, String job, List<String> args) {
        for (String option : options(String.join(" ", args))) {
            assertTrue(JOB_OPTIONS.get(job).contains(option), f + ": " + job + " has no option " + option);
        }
        assertTrue(args.contains("--output"), f + ": an output location");
    }

    private static void checkGpuConf(Path f, String executorGpus, String taskGpus, String script, String installer) {
        assertNotNull(executorGpus, f + ": GPU executors");
        assertNotNull(taskGpus, f + ": GPU tasks");
        double perTask = Double.parseDouble(taskGpus);
        assertTrue(perTask > 0 && perTask <= Integer.parseInt(executorGpus), f + ": task GPU amount " + taskGpus);
        assertTrue(perTask >= 1 || Math.abs(1 / perTask - Math.rint(1 / perTask)) < 1e-9,
                f + ": a fractional GPU amount is 1/n: " + taskGpus);
        assertEquals("/opt/ldmforge/gpu-discovery-nvidia.sh", script, f + ": discovery script");
        assertTrue(installer.contains("gpu-discovery-nvidia.sh"), f + ": the node or image installs the script");
    }

    /** The job a documented main class runs; absent classes (jobs not built yet) pass on the documented name alone. */
    private static String job(Path f, String mainClass) {
        String job = MAIN_CLASSES.get(mainClass);
        assertNotNull(job, f + ": " + mainClass + " is not a documented main class " + MAIN_CLASSES.keySet());
        try {
            Method main = Class.forName(mainClass).getMethod("main", String[].class);
            assertTrue(Modifier.isStatic(main.getModifiers()), mainClass + ".main is static");
        } catch (ClassNotFoundException e) {
            System.err.println("DeployRecipesTest: " + mainClass + " not on the classpath yet; name checked only");
        } catch (NoSuchMethodException e) {
            fail(mainClass + " has no main(String[])");
        }
        return job;
    }

    private static List<Path> recipes(String... extensions) throws IOException {
        try (Stream<Path> all = Files.walk(DEPLOY)) {
            return all.filter(Files::isRegularFile)
                    .filter(p -> Stream.of(DEPLOY.relativize(p).toString().split("/")).noneMatch(n -> n.startsWith(".")))
                    .filter(p -> Stream.of(extensions).anyMatch(e -> p.toString().endsWith("." + e)))
                    .sorted().toList();
        }
    }

    private static List<JsonNode> read(Path f) throws IOException {
        ObjectMapper mapper = f.toString().endsWith(".json") ? new ObjectMapper() : new YAMLMapper();
        try (var docs = mapper.readerFor(JsonNode.class).<JsonNode>readValues(f.toFile())) {
            return docs.readAll();
        }
    }

    private static String header(Path script) throws IOException {
        StringBuilder out = new StringBuilder();
        List<String> lines = Files.readAllLines(script);
        for (String line : lines.subList(1, lines.size())) {
            if (!line.startsWith("#")) {
                break;
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

    private static Set<String> options(String text) {
        Set<String> found = new TreeSet<>();
        Matcher m = OPTION.matcher(text);
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }

    private static List<String> strings(JsonNode array) {
        assertNotNull(array, "a list of arguments");
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static int indexOf(List<String> list, Predicate<String> p) {
        for (int i = 0; i < list.size(); i++) {
            if (p.test(list.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no application jar in " + list);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new HashSet<>(a);
        out.addAll(b);
        return out;
    }
}
