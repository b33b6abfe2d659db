package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.images.Png;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/** Files a hostile request points at: decompression bombs (PNG, JPEG), FIFOs, and a good init image. */
final class HostileInputs {
    private HostileInputs() {
    }

    /** A valid RGB PNG of {@code w}×{@code h} zero pixels: tiny on disk, {@code 3·w·h} bytes once decoded. */
    static Path pngBomb(Path file, int w, int h) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] row = new byte[1 + 3 * w]; // filter byte 0, then black pixels
        try (OutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION), 1 << 16)) {
            for (int y = 0; y < h; y++) {
                z.write(row);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return Files.write(file, png.toByteArray());
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A small baseline JPEG whose SOF0 header declares {@code w}×{@code h} (at most 65535 each). */
    static Path jpegBomb(Path file, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", jpeg);
        byte[] b = jpeg.toByteArray();
        for (int i = 2; i + 8 < b.length; ) {
            if ((b[i] & 0xff) != 0xff) {
                throw new IllegalStateException("no marker at " + i);
            }
            int marker = b[i + 1] & 0xff;
            int length = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            if (marker == 0xc0) { // SOF0: length, precision, height, width
                b[i + 5] = (byte) (h >> 8);
                b[i + 6] = (byte) h;
                b[i + 7] = (byte) (w >> 8);
                b[i + 8] = (byte) w;
                return Files.write(file, b);
            }
            i += 2 + length;
        }
        throw new IllegalStateException("no SOF0 in the JPEG ImageIO wrote");
    }

    /** A good init image: a gradient PNG of the request's size. */
    static Path goodPng(Path file, int w, int h) throws IOException {
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 7 / 3);
        }
        return Files.write(file, Png.encode(w, h, rgb, Map.of()));
    }

    /** A named pipe: opening it for reading would block until a writer came. */
    static Path fifo(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", file.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("mkfifo " + file + " failed");
        }
        return file;
    }
}
