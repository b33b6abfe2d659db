package dev.ldmforge.jobs.stream;

import dev.ldmforge.jobs.cli.FixtureImages;
import dev.ldmforge.jobs.cli.LdmForgeCli;
import dev.ldmforge.jobs.images.Png;
import dev.ldmforge.jobs.kafka.KafkaTestBroker;
import dev.ldmforge.jobs.kafka.LineProducer;
import dev.ldmforge.jobs.kafka.Topics;
import dev.ldmforge.jobs.testing.LocalSpark;
import dev.ldmforge.runtime.testing.Fixtures;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 in the streaming job: {@code ldmforge stream --preset turbo} on tiny-sd. The preset's image (guidance 0,
 * so the UNet runs on the text half only) equals the CLI's from the same seed, metadata rows carry the resolved
 * scheduler options, and an impossible combination is an {@code INVALID_SCHEDULER_OPTIONS} dead letter on the topic.
 */
class PresetStreamTest {
    private static final String PROMPT = "a red circle on a blue background";
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start("local[2]", "PresetStreamTest");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void streamWithPresetTurbo() throws Exception {
        String servers = KafkaTestBroker.get().bootstrapServers();
        String topic = "prompts-preset";
        Topics.createIfMissing(servers, topic, 1);
        String lines = String.join("\n",
                "{\"request_id\": \"turbo\", \"prompt\": \"" + PROMPT + "\", \"seed\": 11, "
                        + "\"negative_prompt\": \"blurry\"}",
                "{\"request_id\": \"lcm\", \"prompt\": \"" + PROMPT + "\", \"scheduler\": \"lcm\", "
                        + "\"num_inference_steps\": 2, \"guidance_scale\": 1}",
                "{\"request_id\": \"bad-karras\", \"prompt\": \"x\", \"scheduler\": \"euler-ancestral\", "
                        + "\"use_karras_sigmas\": true}") + "\n";
        LineProducer.send(servers, topic, new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)));
        String model = Fixtures.path("tiny-sd").toString();
        Path out = dir.resolve("out");
        assertEquals(0, LdmForgeCli.commandLine().execute("stream", "--bootstrap-servers", servers, "--topic", topic,
                "--output", out.toString(), "--checkpoint", out.resolve("_checkpoint").toString(),
                "--results-topic", topic + "-results", "--dead-letter-topic", topic + "-dlq",
                "--commit-topic", topic + "-commits", "--model", model, "--preset", "turbo", "--width", "64",
                "--height", "64", "--partitions", "1", "--available-now"));

        Dataset<Row> rows = spark.read().parquet(out.resolve("metadata").toString());
        assertEquals(2, rows.count());
        Row turbo = rows.filter("request_id = 'turbo'").first();
        assertEquals(Arrays.asList("euler-ancestral", 1, 0.0, "trailing", null), Arrays.asList(
                turbo.<Object>getAs("scheduler"), ((Number) turbo.getAs("num_inference_steps")).intValue(),
                turbo.<Object>getAs("guidance_scale"), turbo.<Object>getAs("timestep_spacing"),
                turbo.<Object>getAs("use_karras_sigmas")));
        Row lcm = rows.filter("request_id = 'lcm'").first();
        assertEquals(Arrays.asList("lcm", null), Arrays.asList(lcm.<Object>getAs("scheduler"),
                lcm.<Object>getAs("timestep_spacing")));

        List<ConsumerRecord<byte[], byte[]>> dlq = KafkaTestBroker.readToEnd(servers, topic + "-dlq", true);
        assertEquals(1, dlq.size());
        assertEquals("INVALID_SCHEDULER_OPTIONS", new String(dlq.get(0).headers().lastHeader("ldmforge.error_code")
                .value(), StandardCharsets.UTF_8));
        Row dead = spark.read().parquet(out.resolve("dead-letter").toString()).first();
        assertEquals("INVALID_SCHEDULER_OPTIONS", dead.getAs("error_code"));
        assertTrue(dead.<String>getAs("error_message")
                .startsWith("use_karras_sigmas: true is not supported by EulerAncestralDiscreteScheduler"),
                dead.<String>getAs("error_message"));

        Path png = dir.resolve("cli-turbo.png");
        assertEquals(0, LdmForgeCli.commandLine().execute("txt2img", "--model", model, "--preset", "turbo",
                "--prompt", PROMPT, "--width", "64", "--height", "64", "--seed", "11", "--output", png.toString()));
        String uri = turbo.getAs("image_uri");
        byte[] streamed = Files.readAllBytes(Path.of(uri.replaceFirst("^file:", "")));
        FixtureImages.assertSamePixels(Png.decode(Files.readAllBytes(png), "cli").pixels(),
                Png.decode(streamed, uri).pixels(), uri);
    }
}
