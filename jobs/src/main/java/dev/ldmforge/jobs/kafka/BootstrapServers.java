package dev.ldmforge.jobs.kafka;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * A {@code host:port[,host:port...]} list of Kafka brokers. Kafka clients retry an unreachable broker until their
 * timeout, logging a warning per attempt; {@link #anyAccepts} lets a command fail at once instead.
 */
public record BootstrapServers(List<InetSocketAddress> addresses) {

    /** Throws {@link IllegalArgumentException} naming the bad entry. */
    public static BootstrapServers parse(String text) {
        return new BootstrapServers(Arrays.stream(text.split(",", -1)).map(String::strip)
                .map(BootstrapServers::address).toList());
    }

    /** True when some broker accepts a TCP connection within {@code timeout}. */
    public boolean anyAccepts(Duration timeout) {
        return addresses.stream().anyMatch(a -> accepts(a, timeout));
    }

    static boolean accepts(InetSocketAddress address, Duration timeout) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address.getHostString(), address.getPort()), (int) timeout.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + hostPort + "'");
        }
        try {
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return InetSocketAddress.createUnresolved(hostPort.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + hostPort + "'");
        }
    }
}
