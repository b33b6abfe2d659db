package dev.ldmforge.runtime.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** Recognises pickled PyTorch weight files, which are refused: unpickling a file can run arbitrary code. */
final class PickledWeights {

    private static final Set<String> EXTENSIONS = Set.of("bin", "ckpt", "pt", "pth", "pkl", "pickle");

    static final String WHY = "pickled PyTorch files (.bin/.ckpt/.pt/.pth) are refused because loading a pickle can "
            + "execute arbitrary code; convert the model to .safetensors with a trusted tool first";

    private PickledWeights() {
    }

    static boolean isPickleName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1));
    }

    static WeightsException refusal(Path file) {
        return new WeightsException(file + ": " + WHY);
    }

    /** A zip archive (torch.save since 1.6) or a raw pickle stream (protocol 2..5), whatever the file name. */
    static boolean looksPickled(Path file) {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 4) < 2) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        boolean zip = head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        boolean pickle = (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5;
        return zip || pickle;
    }
}
