package dev.ldmforge.jobs.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Versions of LDM Forge and of the engines it runs on, from the build. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("/dev/ldmforge/jobs/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        }
        return new String[] {
            "ldmforge " + p.getProperty("version", "unknown"),
            "Spark " + p.getProperty("spark", "?") + ", DJL " + p.getProperty("djl", "?") + " (PyTorch "
                    + p.getProperty("pytorch", "?") + "), Java " + System.getProperty("java.version")
        };
    }
}
