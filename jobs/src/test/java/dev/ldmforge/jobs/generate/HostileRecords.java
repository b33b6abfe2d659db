package dev.ldmforge.jobs.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.schemas.Schemas;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded generator of hostile prompt records mixed with valid ones, for the fuzz test: random JSON, wrong types,
 * huge and negative numbers, NaN/Infinity literals, 10,000-deep nesting, 1 MB strings, control characters, invalid
 * UTF-8, traversal in request_id and URIs, special files, decompression bombs, unknown models; and Avro garbage.
 * Each record says what must become of it: images, a dead letter, or either (a request_id the job may not keep).
 */
final class HostileRecords {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int SIZE = 64;

    enum Expect { IMAGE, DEAD, EITHER }

    /**
     * @param id     the request id its image or dead letter carries, null when the record has none the job keeps
     * @param bytes  the record as it is written (one JSON line without its newline, or one Avro datum)
     * @param images images it asks for when valid
     */
    record Fuzzed(String id, byte[] bytes, Expect expect, String kind, int images) {
    }

    /** Files the records point at, made by {@link HostileInputs} in the allowed folder. */
    record Files(Path good, Path pngBomb, Path jpegBomb, Path fifo, Path folder) {
    }

    private final Random random;
    private final Files files;
    private int oneMegabyteStrings;

    HostileRecords(long seed, Files files) {
        this.random = new Random(seed);
        this.files = files;
    }

    /** {@code n} JSON Lines records; about one in 40 is valid (tiny model, cheap). */
    List<Fuzzed> json(int n, String idPrefix, int maxOneMegabyteStrings) {
        List<Fuzzed> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = idPrefix + i;
            out.add(i % 40 == 0 ? valid(id) : hostile(id, maxOneMegabyteStrings));
        }
        return out;
    }

    private Fuzzed valid(String id) {
        boolean img2img = random.nextInt(3) == 0;
        String extra = img2img ? ", \"init_image_uri\": " + quote(files.good().toString()) + ", \"strength\": 0.6" : "";
        return json(id, base(id, "a valid prompt " + random.nextInt(1000)) + extra + "}", Expect.IMAGE,
                img2img ? "valid-img2img" : "valid");
    }

    private static String base(String id, String prompt) {
        return "{\"request_id\": \"" + id + "\", \"prompt\": " + quote(prompt) + ", \"width\": " + SIZE
                + ", \"height\": " + SIZE + ", \"seed\": 1";
    }

    private Fuzzed hostile(String id, int maxOneMegabyteStrings) {
        int kind = random.nextInt(14);
        String b = base(id, "hostile " + id);
        return switch (kind) {
            case 0 -> randomJson();
            case 1 -> json(id, b + ", " + pick("\"width\": \"big\"", "\"seed\": [1, 2]", "\"guidance_scale\": {}",
                    "\"num_inference_steps\": true", "\"metadata\": 5", "\"strength\": \"0.5\"",
                    "\"model\": 7", "\"init_image_uri\": [\"/etc/passwd\"]") + "}", Expect.DEAD, "wrong-type");
            case 2 -> json(id, b.replace("\"width\": 64", "\"width\": " + pick("1e300", "-64", "99999999999999999999",
                    "0", "65")) + "}", Expect.DEAD, "huge-or-negative");
            case 3 -> json(id, b + ", " + pick("\"seed\": -5", "\"num_inference_steps\": 100000000000",
                    "\"num_images_per_prompt\": 1000000", "\"strength\": 5", "\"num_inference_steps\": -3",
                    "\"seed\": 1e400") + "}", Expect.DEAD, "huge-or-negative");
            case 4 -> json(null, b + ", \"guidance_scale\": " + pick("NaN", "Infinity", "-Infinity", "+Inf") + "}",
                    Expect.DEAD, "nan-infinity");
            case 5 -> json(null, b + ", \"metadata\": " + "[".repeat(10_000) + "]".repeat(10_000) + "}", Expect.DEAD,
                    "deep-nesting");
            case 6 -> {
                if (oneMegabyteStrings++ >= maxOneMegabyteStrings) {
                    yield json(id, b + ", \"prompt_2\": " + quote("y".repeat(5000)) + "}", Expect.DEAD, "long-string");
                }
                String mega = "x".repeat(1 << 20);
                yield json(null, pick(b.replace("\"hostile " + id + "\"", quote(mega)) + "}",
                        b + ", \"negative_prompt\": " + quote(mega) + "}"), Expect.DEAD, "1mb-string");
            }
            case 7 -> json(null, "{\"request_id\": " + quote(pick("a\u0000b", "\u001b[31mred", "id\u2028x", "tab\tid"))
                    + ", \"prompt\": \"x\"}", Expect.DEAD, "control-chars-id");
            case 8 -> new Fuzzed(null, invalidUtf8(b), Expect.DEAD, "invalid-utf8", 1);
            case 9 -> json(null, "{\"request_id\": " + quote(pick("../../etc/passwd", "..", "a/b", "/abs",
                    "..\\\\x", ".hidden", "x/../../y")) + ", \"prompt\": \"x\"}", Expect.DEAD, "traversal-id");
            case 10 -> json(id, b + ", \"init_image_uri\": " + quote(pick(files.folder() + "/../../../../etc/passwd",
                    "file:///etc/shadow", "s3://other/../x.png", "http://169.254.169.254/latest/meta-data",
                    files.folder() + "/./../" + files.folder().getFileName() + "/../../x.png",
                    "s3://bucket/a/../../b.png", "ftp://host/x.png")) + "}", Expect.DEAD, "traversal-uri");
            case 11 -> json(id, b + ", \"init_image_uri\": " + quote(pick("/dev/zero", "/dev/urandom",
                    "/proc/self/mem", "/dev/stdin", files.fifo().toString(), files.folder().toString(),
                    "/proc/self/environ")) + "}", Expect.DEAD, "special-file");
            case 12 -> json(id, b + ", \"init_image_uri\": " + quote(pick(files.pngBomb().toString(),
                    files.jpegBomb().toString())) + "}", Expect.DEAD, "decompression-bomb");
            default -> json(id, b + ", \"model\": " + quote(pick("/etc", "s3://bucket/models/sd", "org/name",
                    "../tiny", "demo", "TINY", "tiny/../etc")) + "}", Expect.DEAD, "unknown-model");
        };
    }

    /** A line of random tokens, brackets and bytes that is never blank and has no newline. */
    private Fuzzed randomJson() {
        String[] tokens = {"{", "}", "[", "]", ":", ",", "\"", "null", "true", "1e9", "-0", "\"prompt\"",
            "\"request_id\"", "\\u0000", "\\", "'", "NaN", "{\"a\":", "0x1F", "\u00e9", "\ud83d\ude00"};
        StringBuilder s = new StringBuilder("{");
        int n = 1 + random.nextInt(40);
        for (int i = 0; i < n; i++) {
            s.append(tokens[random.nextInt(tokens.length)]);
        }
        return new Fuzzed(null, s.toString().getBytes(StandardCharsets.UTF_8), Expect.DEAD, "random-json", 1);
    }

    private byte[] invalidUtf8(String base) {
        byte[] head = (base + ", \"negative_prompt\": \"").getBytes(StandardCharsets.UTF_8);
        byte[][] bad = {{(byte) 0xff}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            {(byte) 0xe2, (byte) 0x82}, {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}};
        byte[] b = bad[random.nextInt(bad.length)];
        byte[] tail = "\"}".getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + b.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(b, 0, out, head.length, b.length);
        System.arraycopy(tail, 0, out, head.length + b.length, tail.length);
        return out;
    }

    /** {@code n} Avro datums: about one in 10 valid, the rest random bytes or valid datums cut, flipped or padded. */
    List<Fuzzed> avro(int n, String idPrefix) {
        List<Fuzzed> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = idPrefix + i;
            byte[] good = avroDatum(id, "an avro prompt " + i);
            if (i % 10 == 0) {
                out.add(new Fuzzed(id, good, Expect.IMAGE, "avro-valid", 1));
                continue;
            }
            byte[] bad = switch (random.nextInt(5)) {
                case 0 -> randomBytes(1 + random.nextInt(200));
                case 1 -> java.util.Arrays.copyOf(good, 1 + random.nextInt(good.length - 1));
                case 2 -> { // request_id declares a 1.5 GB string: Avro would allocate it before reading
                    byte[] huge = varint(1_500_000_000L);
                    byte[] c = new byte[1 + huge.length + 8];
                    c[0] = 2; // request_id: the string branch
                    System.arraycopy(huge, 0, c, 1, huge.length);
                    yield c;
                }
                case 3 -> hugeMap(); // a map block of 2^30 entries in metadata
                default -> {
                    byte[] b = good.clone();
                    b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
                    yield b;
                }
            };
            // A flipped byte can still decode to a valid request: then it may generate (with some other id).
            out.add(new Fuzzed(null, bad, Expect.EITHER, "avro-garbage", 1));
        }
        return out;
    }

    /** Avro's zig-zag varint of {@code value}. */
    static byte[] varint(long value) {
        long raw = (value << 1) ^ (value >> 63);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((raw & ~0x7fL) != 0) {
            out.write((int) ((raw & 0x7f) | 0x80));
            raw >>>= 7;
        }
        out.write((int) raw);
        return out.toByteArray();
    }

    /** A minimal datum whose metadata declares a block of 2^30 entries, with four bytes after it. */
    private static byte[] hugeMap() {
        byte[] prefix = avroPrefixBeforeMetadata();
        byte[] count = varint(1L << 30);
        byte[] out = java.util.Arrays.copyOf(prefix, prefix.length + count.length + 4);
        System.arraycopy(count, 0, out, prefix.length, count.length);
        return out;
    }

    /** The bytes of a datum with every field up to metadata null except request_id and prompt (written below). */
    private static byte[] avroPrefixBeforeMetadata() {
        GenericRecord r = new GenericRecordBuilder(Schemas.PROMPT_REQUEST).set("prompt", "p")
                .set("metadata", Map.of()).build();
        byte[] minimal = write(r);
        // All-null fields before metadata: the metadata map's empty block is the byte before the trailing nulls.
        int fieldsAfter = Schemas.PROMPT_REQUEST.getFields().size() - Schemas.PROMPT_REQUEST.getField("metadata").pos() - 1;
        return java.util.Arrays.copyOf(minimal, minimal.length - fieldsAfter - 1);
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    static byte[] avroDatum(String id, String prompt) {
        GenericRecordBuilder b = new GenericRecordBuilder(Schemas.PROMPT_REQUEST).set("request_id", id)
                .set("prompt", prompt).set("width", SIZE).set("height", SIZE).set("seed", 1L)
                .set("metadata", Map.of());
        return write(b.build());
    }

    private static byte[] write(GenericRecord r) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(Schemas.PROMPT_REQUEST, GenericData.get()).write(r, e);
            e.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String pick(String... options) {
        return options[random.nextInt(options.length)];
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Fuzzed json(String id, String line, Expect expect, String kind) {
        return new Fuzzed(id, line.getBytes(StandardCharsets.UTF_8), expect, kind, 1);
    }
}
