package dev.ldmforge.schemas;

import org.apache.spark.sql.SparkSession;

/** One local[1] SparkSession for every test class in the JVM (startup costs seconds; Spark stops it at exit). */
final class LocalSpark {
    private static SparkSession session;

    private LocalSpark() {}

    static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[1]")
                    .appName("ldmforge-schemas-tests")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", false)
                    .config("spark.sql.shuffle.partitions", 1)
                    .getOrCreate();
        }
        return session;
    }
}
