package dev.ldmforge.jobs.images;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PngTest {

    @Test
    void pixelsAndTextRoundTripAndBytesAreDeterministic() {
        byte[] rgb = new byte[5 * 3 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 17);
        }
        Map<String, String> text = new LinkedHashMap<>();
        text.put("prompt", "un chat rouge — 赤い猫 <b>&amp;</b>");
        text.put("seed", "42");
        byte[] png = Png.encode(5, 3, rgb, text);
        assertArrayEquals(png, Png.encode(5, 3, rgb, text), "same input, same bytes");
        var decoded = Png.decode(png, "test");
        assertEquals(5, decoded.width());
        assertEquals(3, decoded.height());
        assertArrayEquals(rgb, decoded.pixels());
        assertEquals(text, Png.readText(png));
    }

    @Test
    void garbageIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Png.decode(new byte[] {1, 2, 3}, "init.png"));
        assertEquals(true, e.getMessage().contains("init.png"));
    }
}
