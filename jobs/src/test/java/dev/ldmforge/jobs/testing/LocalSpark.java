package dev.ldmforge.jobs.testing;

import org.apache.spark.sql.SparkSession;

/** The one Spark session a test class uses: local, bound to 127.0.0.1, no UI, two shuffle partitions. */
public final class LocalSpark {
    private LocalSpark() {
    }

    /** @param master e.g. {@code local[2]}, or {@code local[2,3]} to let failed tasks retry */
    public static SparkSession start(String master, String appName) {
        return SparkSession.builder().master(master).appName(appName)
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }
}
