package dev.ldmforge.jobs.executor;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ExecutorThreadsTest {

    private static SparkConf conf(String... keyValues) {
        SparkConf conf = new SparkConf(false);
        for (int i = 0; i < keyValues.length; i += 2) {
            conf.set(keyValues[i], keyValues[i + 1]);
        }
        return conf;
    }

    @Test
    void localModeGivesEachTaskSlotOneCore() {
        assertEquals(1, ExecutorThreads.intraOp(conf("spark.master", "local[*]"), 2));
        assertEquals(1, ExecutorThreads.intraOp(conf("spark.master", "local[4]"), 2));
        assertEquals(1, ExecutorThreads.intraOp(conf("spark.master", "local"), 8));
        assertEquals(2, ExecutorThreads.intraOp(conf("spark.master", "local[4, 3]", "spark.task.cpus", "2"), 8));
        assertEquals(1, ExecutorThreads.intraOp(conf("spark.master", "local[2]", "spark.executor.cores", "2"), 2),
                "spark.executor.cores does not apply in local mode");
    }

    @Test
    void executorCoresAreSharedByTaskSlots() {
        assertEquals(1, ExecutorThreads.intraOp(conf("spark.master", "spark://h:7077", "spark.executor.cores", "1"), 2));
        assertEquals(1, ExecutorThreads.intraOp(conf("spark.executor.cores", "8"), 2));
        assertEquals(4, ExecutorThreads.intraOp(conf("spark.executor.cores", "8", "spark.task.cpus", "4"), 2));
        // 3 cores, 2 per task: one slot, which gets all three.
        assertEquals(3, ExecutorThreads.intraOp(conf("spark.executor.cores", "3", "spark.task.cpus", "2"), 2));
    }

    @Test
    void unknownCoresFallBackToTaskCpusAndTheOverrideWins() {
        assertEquals(2, ExecutorThreads.intraOp(conf("spark.master", "yarn", "spark.task.cpus", "2"), 16));
        assertEquals(1, ExecutorThreads.intraOp(conf("spark.master", "k8s://x"), 16));
        assertEquals(6, ExecutorThreads.intraOp(conf("spark.master", "local[*]", ExecutorThreads.OVERRIDE, "6"), 2));
        assertThrows(IllegalArgumentException.class,
                () -> ExecutorThreads.intraOp(conf(ExecutorThreads.OVERRIDE, "0"), 2));
    }
}
