package dev.ldmforge.jobs.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** deploy/submit.sh --dry-run: the command it would run for each kind of master. */
class SubmitScriptTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void localRunsTheDriverHereWithSparkFlagsAndOfflineDjl() throws Exception {
        String cmd = dryRun("--master", "local[2]", "--dry-run", "generate", "--prompts", "p.jsonl", "--output", "out");
        String flags = Files.readString(ROOT.resolve("jobs/target/jvm-flags.txt")).trim();
        assertTrue(cmd.startsWith("env SPARK_LOCAL_IP=127.0.0.1 DJL_OFFLINE=true OMP_NUM_THREADS=1 java "), cmd);
        assertTrue(cmd.contains(" java " + flags + " -Dai.djl.offline=true -cp "), cmd);
        assertTrue(cmd.contains("/jobs/target/ldmforge.jar:$(cat "), "runnable classpath: " + cmd);
        assertTrue(cmd.contains(" dev.ldmforge.jobs.generate.GenerateMain --master local\\[2\\] "), cmd);
        assertTrue(cmd.contains(" --conf spark.executor.extraJavaOptions=" + flags.replace(" ", "\\ ")
                + "\\ -Dai.djl.offline=true "), "executors get the Spark flags and offline DJL: " + cmd);
        assertTrue(cmd.contains(" --conf spark.executorEnv.OMP_NUM_THREADS=1 "), cmd);
        assertTrue(cmd.endsWith(" --prompts p.jsonl --output out"), "job arguments last, unchanged: " + cmd);
    }

    @Test
    void standaloneWithGpusAsksForThemPerExecutorAndTask() throws Exception {
        String cmd = dryRun("--master", "spark://127.0.0.1:7077", "--gpus-per-executor", "1", "--tasks-per-gpu", "4",
                "--engine-cache-dir", "/var/cache/djl", "--conf", "spark.executor.memory=6g", "--dry-run",
                "generate", "--output", "o");
        for (String conf : List.of("spark.executor.resource.gpu.amount=1", "spark.task.resource.gpu.amount=0.25",
                "spark.executor.cores=4", "spark.executorEnv.ENGINE_CACHE_DIR=/var/cache/djl",
                "spark.executor.memory=6g")) {
            assertTrue(cmd.contains(" --conf " + conf + " "), conf + " in " + cmd);
        }
        assertFalse(cmd.contains("discoveryScript"), "standalone workers announce their GPUs: " + cmd);
        assertTrue(cmd.contains(" --master spark://127.0.0.1:7077 "), cmd);
    }

    @Test
    void kubernetesAndYarnBuildASparkSubmitCommand() throws Exception {
        String k8s = dryRun("--master", "k8s://https://kube:6443", "--image", "reg/ldmforge:1", "--gpus-per-executor",
                "1", "--tasks-per-gpu", "2", "--num-executors", "3", "--dry-run", "stream", "--topic", "t",
                "--available-now");
        assertTrue(k8s.startsWith("spark-submit --master k8s://https://kube:6443 --deploy-mode cluster "
                + "--class dev.ldmforge.jobs.stream.StreamMain "), k8s);
        for (String conf : List.of("spark.kubernetes.container.image=reg/ldmforge:1",
                "spark.executor.resource.gpu.vendor=nvidia.com", "spark.task.resource.gpu.amount=0.5",
                "spark.executor.resource.gpu.discoveryScript=/opt/ldmforge/gpu-discovery-nvidia.sh",
                "spark.executor.instances=3", "spark.executor.extraJavaOptions=-Dai.djl.offline=true",
                "spark.executor.extraClassPath=/opt/ldmforge/lib/\\*")) {
            assertTrue(k8s.contains(" --conf " + conf + " "), conf + " in " + k8s);
        }
        assertTrue(k8s.endsWith(" local:///opt/ldmforge/lib/ldmforge.jar --topic t --available-now"), k8s);

        String yarn = dryRun("--master", "yarn", "--dry-run", "generate", "--output", "s3://b/o");
        assertTrue(yarn.startsWith("spark-submit --master yarn --deploy-mode cluster "
                + "--class dev.ldmforge.jobs.generate.GenerateMain "), yarn);
        assertTrue(yarn.contains(" --conf spark.yarn.appMasterEnv.DJL_OFFLINE=true "), yarn);
        assertFalse(yarn.contains("gpu"), "no GPU settings unless asked: " + yarn);
    }

    @Test
    void refusesWhatItCannotRun() throws Exception {
        assertEquals(2, exit("--master", "mesos://m:5050", "--dry-run", "generate"));
        assertEquals(2, exit("--master", "yarn", "--dry-run"));
        assertEquals(2, exit("--bogus", "1", "generate"));
        assertEquals(2, exit("--master", "k8s://https://kube:6443", "--dry-run", "generate"), "k8s needs --image");
        assertEquals(2, exit("--master", "local[*]", "--gpus-per-executor", "1", "--dry-run", "generate"),
                "local mode takes --device gpu instead");
    }

    private static String dryRun(String... args) throws Exception {
        Result r = run(args);
        assertEquals(0, r.exit, r.output);
        List<String> lines = r.output.lines().toList();
        assertEquals(1, lines.size(), "one command line: " + r.output);
        return lines.get(0);
    }

    private static int exit(String... args) throws Exception {
        return run(args).exit;
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("deploy/submit.sh").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "submit.sh finished");
        return new Result(p.exitValue(), out);
    }
}
