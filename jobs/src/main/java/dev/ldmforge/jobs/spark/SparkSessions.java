package dev.ldmforge.jobs.spark;

import dev.ldmforge.jobs.executor.ExecutorThreads;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.Map;

/**
 * Builds the session for a job. Under spark-submit the master and confs come from spark-submit; from the
 * {@code ldmforge} CLI the master defaults to {@code local[*]}. Local masters bind to 127.0.0.1, and executors always
 * run DJL offline with OpenMP/MKL threads sized per task slot ({@link ExecutorThreads}).
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    /** @param master the --master option, or null to take spark-submit's (spark.master) or else local[*] */
    public static SparkSession create(String appName, String master, Map<String, String> conf) {
        SparkConf sc = new SparkConf(true).setAppName(appName);
        String effective = master != null ? master : sc.get("spark.master", "local[*]");
        sc.setMaster(effective);
        if (effective.startsWith("local")) {
            sc.setIfMissing("spark.driver.host", "127.0.0.1");
            sc.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            sc.setIfMissing("spark.ui.enabled", "false");
        }
        String djl = "-Dai.djl.offline=true";
        String executorOptions = sc.get("spark.executor.extraJavaOptions", "");
        if (!executorOptions.contains("ai.djl.offline")) {
            sc.set("spark.executor.extraJavaOptions", (executorOptions + " " + djl).trim());
        }
        conf.forEach(sc::set);
        if (!effective.startsWith("local")) {
            // Executors' OpenMP and MKL start with the threads of one task slot, as ExecutorThreads sets libtorch's.
            String threads = Integer.toString(ExecutorThreads.intraOp(sc, 1));
            sc.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", threads);
            sc.setIfMissing("spark.executorEnv.MKL_NUM_THREADS", threads);
        }
        return SparkSession.builder().config(sc).getOrCreate();
    }

    /**
     * The running session, with the job's settings applied where a running session allows: Hadoop settings
     * ({@code spark.hadoop.*}) and runtime SQL settings; the rest were fixed when the session started.
     */
    public static SparkSession reuse(Map<String, String> conf) {
        SparkSession spark = SparkSession.active();
        conf.forEach((k, v) -> {
            if (k.startsWith("spark.hadoop.")) {
                spark.sparkContext().hadoopConfiguration().set(k.substring("spark.hadoop.".length()), v);
            } else if (spark.conf().isModifiable(k)) {
                spark.conf().set(k, v);
            }
        });
        return spark;
    }

    /**
     * Sizes the planning shuffles (validation, de-duplication, skipping recorded images) at one partition per core
     * unless the user set {@code spark.sql.shuffle.partitions}. They carry only prompt text, so Spark's default of
     * 200 partitions, or one per generation task, is pure per-task overhead; every job pays it several times.
     */
    public static void sizePlanningShuffles(SparkSession spark, Map<String, String> confs) {
        if (!confs.containsKey("spark.sql.shuffle.partitions")) {
            spark.conf().set("spark.sql.shuffle.partitions",
                    Integer.toString(spark.sparkContext().defaultParallelism()));
        }
    }

    /** Parses repeated {@code --conf key=value} options. */
    public static Map.Entry<String, String> parseConf(String keyValue) {
        int eq = keyValue.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--conf expects key=value, got " + keyValue);
        }
        return Map.entry(keyValue.substring(0, eq).trim(), keyValue.substring(eq + 1));
    }
}
