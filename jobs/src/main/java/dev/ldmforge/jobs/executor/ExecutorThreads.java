package dev.ldmforge.jobs.executor;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.apache.spark.SparkConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * libtorch's threads in an executor JVM: every task slot runs its own pipeline, so each gets the cores of one slot
 * as intra-op threads (executor cores / concurrent tasks, i.e. {@code spark.task.cpus} when cores divide evenly) and
 * the slots together never oversubscribe the executor's cores. Inter-op parallelism is unused (no forked graphs), so
 * its pool is one thread. Set once per JVM before the first model loads: libtorch copies the intra-op count into each
 * thread's OpenMP/MKL settings the first time that thread runs a parallel op, so threads that ran ops earlier (the
 * driver's own in local mode) keep theirs. {@code ldmforge.executor.threads} overrides the computed count.
 */
public final class ExecutorThreads {
    public static final String OVERRIDE = "ldmforge.executor.threads";
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorThreads.class);
    private static final Pattern LOCAL = Pattern.compile("local\\[(\\*|\\d+)(?:,\\s*\\d+)?]");
    private static volatile Integer configured;

    private ExecutorThreads() {
    }

    /** Applies {@link #intraOp} for {@code conf} unless this JVM already did; returns the threads in effect. */
    public static synchronized int configureOnce(SparkConf conf) {
        if (configured == null) {
            int threads = intraOp(conf, Runtime.getRuntime().availableProcessors());
            Engine.getEngine("PyTorch");
            JniUtils.setNumThreads(threads);
            try {
                JniUtils.setNumInteropThreads(1);
            } catch (RuntimeException e) {
                LOG.debug("inter-op threads already fixed in this JVM: {}", e.getMessage());
            }
            configured = threads;
            LOG.info("libtorch intra-op threads per task: {} (inter-op: {})", threads,
                    JniUtils.getNumInteropThreads());
        }
        return configured;
    }

    /**
     * Intra-op threads per task: the override if set, else the executor's cores (the N of local[N], all processors
     * for local[*], else spark.executor.cores) shared evenly by its task slots (cores / spark.task.cpus of them);
     * without a known core count, spark.task.cpus.
     */
    public static int intraOp(SparkConf conf, int availableProcessors) {
        if (conf.contains(OVERRIDE)) {
            int threads = conf.getInt(OVERRIDE, 1);
            if (threads < 1) {
                throw new IllegalArgumentException(OVERRIDE + " must be at least 1, got " + threads);
            }
            return threads;
        }
        int taskCpus = Math.max(1, conf.getInt("spark.task.cpus", 1));
        int cores = executorCores(conf, availableProcessors);
        if (cores <= 0) {
            return taskCpus;
        }
        int slots = Math.max(1, cores / taskCpus);
        return Math.max(1, cores / slots);
    }

    /** The executor's cores if the configuration says, else 0. */
    private static int executorCores(SparkConf conf, int availableProcessors) {
        String master = conf.get("spark.master", "");
        if (master.equals("local")) {
            return 1;
        }
        Matcher local = LOCAL.matcher(master);
        if (local.matches()) { // the driver is the executor: spark.executor.cores does not apply
            return local.group(1).equals("*") ? availableProcessors : Integer.parseInt(local.group(1));
        }
        return conf.contains("spark.executor.cores") ? conf.getInt("spark.executor.cores", 1) : 0;
    }
}
