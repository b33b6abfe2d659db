package dev.ldmforge.jobs.images;

import dev.ldmforge.runtime.pipeline.RgbImage;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * 8-bit RGB PNG encoding with the generation parameters as international text chunks (iTXt, UTF-8, so prompts in
 * any script survive). The same pixels and text always give the same bytes: no timestamps are written.
 */
public final class Png {
    private static final String FORMAT = "javax_imageio_png_1.0";

    private Png() {
    }

    /** @param rgb interleaved RGB, row-major, {@code width * height * 3} bytes */
    public static byte[] encode(int width, int height, byte[] rgb, Map<String, String> text) {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("expected " + width * height * 3 + " RGB bytes, got " + rgb.length);
        }
        BufferedImage image = toBufferedImage(width, height, rgb);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image),
                    writer.getDefaultWriteParam());
            metadata.mergeTree(FORMAT, textTree(text));
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, metadata), writer.getDefaultWriteParam());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding failed", e);
        } finally {
            writer.dispose();
        }
    }

    /** Interleaved RGB as an ImageIO image (the JPEG and WebP encoders take the same). */
    public static BufferedImage toBufferedImage(RgbImage image) {
        return toBufferedImage(image.width(), image.height(), image.pixels());
    }

    private static BufferedImage toBufferedImage(int width, int height, byte[] rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] pixels = new int[width * height];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (rgb[3 * i] & 0xff) << 16 | (rgb[3 * i + 1] & 0xff) << 8 | rgb[3 * i + 2] & 0xff;
        }
        image.setRGB(0, 0, width, height, pixels, 0, width);
        return image;
    }

    private static IIOMetadataNode textTree(Map<String, String> text) throws IIOInvalidTreeException {
        IIOMetadataNode itxt = new IIOMetadataNode("iTXt");
        for (Map.Entry<String, String> e : text.entrySet()) {
            IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
            entry.setAttribute("keyword", e.getKey());
            entry.setAttribute("compressionFlag", "FALSE");
            entry.setAttribute("compressionMethod", "0");
            entry.setAttribute("languageTag", "");
            entry.setAttribute("translatedKeyword", "");
            entry.setAttribute("text", e.getValue());
            itxt.appendChild(entry);
        }
        IIOMetadataNode root = new IIOMetadataNode(FORMAT);
        root.appendChild(itxt);
        return root;
    }

    /** The text chunks of a PNG (tEXt and iTXt), in file order. */
    public static Map<String, String> readText(byte[] png) {
        try {
            var reader = ImageIO.getImageReadersByFormatName("png").next();
            try (var in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
                reader.setInput(in);
                Node root = reader.getImageMetadata(0).getAsTree(FORMAT);
                Map<String, String> out = new LinkedHashMap<>();
                for (Node chunk = root.getFirstChild(); chunk != null; chunk = chunk.getNextSibling()) {
                    if (chunk.getNodeName().equals("iTXt") || chunk.getNodeName().equals("tEXt")) {
                        NodeList entries = chunk.getChildNodes();
                        for (int i = 0; i < entries.getLength(); i++) {
                            var attrs = entries.item(i).getAttributes();
                            String value = attrs.getNamedItem("text") != null
                                    ? attrs.getNamedItem("text").getNodeValue()
                                    : attrs.getNamedItem("value").getNodeValue();
                            out.put(attrs.getNamedItem("keyword").getNodeValue(), value);
                        }
                    }
                }
                return out;
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not a readable PNG", e);
        }
    }

    public static byte[] encode(RgbImage image, Map<String, String> text) {
        return encode(image.width(), image.height(), image.pixels(), text);
    }

    /** Decodes a PNG (or any ImageIO format) to interleaved 8-bit RGB: img2img init images. */
    public static RgbImage decode(byte[] data, String source) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(data));
            if (image == null) {
                throw new IllegalArgumentException(source + ": not a PNG/JPEG/BMP/GIF image");
            }
            return rgb(image);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": cannot decode image: " + e.getMessage(), e);
        }
    }

    /** A decoded image as interleaved 8-bit RGB (alpha dropped). */
    public static RgbImage rgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] pixels = image.getRGB(0, 0, w, h, null, 0, w);
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < pixels.length; i++) {
            rgb[3 * i] = (byte) (pixels[i] >> 16);
            rgb[3 * i + 1] = (byte) (pixels[i] >> 8);
            rgb[3 * i + 2] = (byte) pixels[i];
        }
        return new RgbImage(w, h, rgb);
    }
}
