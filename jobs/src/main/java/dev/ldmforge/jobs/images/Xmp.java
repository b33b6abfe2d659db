package dev.ldmforge.jobs.images;

import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The generation parameters as an XMP packet, for formats without PNG's text chunks (JPEG APP1, WebP "XMP "
 * chunk): one {@code rdf:Description} whose elements in the {@code ldmforge:} namespace carry diffusers' parameter
 * names, so exiftool and any XMP reader show them. Deterministic: no timestamps, parameters in the given order.
 */
public final class Xmp {
    public static final String NAMESPACE = "https://ldmforge.dev/ns/generation/1.0/";

    private Xmp() {
    }

    public static byte[] packet(Map<String, String> text) {
        StringBuilder b = new StringBuilder();
        b.append("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
                .append("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n")
                .append("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n")
                .append("<rdf:Description rdf:about=\"\" xmlns:ldmforge=\"").append(NAMESPACE).append("\">\n");
        for (Map.Entry<String, String> e : text.entrySet()) {
            b.append("<ldmforge:").append(e.getKey()).append('>').append(escape(e.getValue()))
                    .append("</ldmforge:").append(e.getKey()).append(">\n");
        }
        b.append("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"r\"?>");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The parameters of a packet written by {@link #packet}. */
    public static Map<String, String> read(byte[] packet) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Element root = f.newDocumentBuilder().parse(new ByteArrayInputStream(packet)).getDocumentElement();
            Node description = root.getElementsByTagNameNS("http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                    "Description").item(0);
            Map<String, String> out = new LinkedHashMap<>();
            for (Node n = description.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n.getNodeType() == Node.ELEMENT_NODE && NAMESPACE.equals(n.getNamespaceURI())) {
                    out.put(n.getLocalName(), n.getTextContent());
                }
            }
            return out;
        } catch (Exception e) {
            throw new IllegalArgumentException("not a readable XMP packet: " + e.getMessage(), e);
        }
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                default -> {
                    // XML 1.0 cannot hold most control characters, even escaped: keep them visible instead
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
