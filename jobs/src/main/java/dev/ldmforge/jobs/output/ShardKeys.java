package dev.ldmforge.jobs.output;

/**
 * WebDataset names, as img2dataset writes them: {@code shards/{shard:05d}.tar}, {@code shards/{shard:05d}.parquet},
 * {@code shards/{shard:05d}_stats.json}; a sample's key is its shard number followed by its position in the shard,
 * zero-padded to the digits of {@code samples_per_shard - 1} ({@code 000030042}), so keys sort in shard order and
 * never contain a dot (WebDataset splits member names at the first dot).
 */
public final class ShardKeys {
    public static final String SHARDS = "shards";

    private ShardKeys() {
    }

    /** @param dir {@code shards} for {@code generate}; {@code shards/query_id=Q/batch_id=N} for a stream's batch */
    public static String tar(String dir, int shard) {
        return String.format("%s/%05d.tar", dir, shard);
    }

    public static String parquet(String dir, int shard) {
        return String.format("%s/%05d.parquet", dir, shard);
    }

    public static String stats(String dir, int shard) {
        return String.format("%s/%05d_stats.json", dir, shard);
    }

    public static String sample(int shard, int position, int samplesPerShard) {
        int digits = Integer.toString(Math.max(1, samplesPerShard - 1)).length();
        return String.format("%05d%0" + digits + "d", shard, position);
    }
}
