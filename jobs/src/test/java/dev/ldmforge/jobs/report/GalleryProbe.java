package dev.ldmforge.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opens a gallery page in headless Chromium with a probe script added to a copy of it, and returns what the probe
 * saw: each image's src and natural width, the prompts' text, the dead-letter messages' text, the number of scripts
 * and any dialogs a smuggled script tried to open.
 */
public final class GalleryProbe {
    private static final String PROBE = """
            <script>
            (function () {
              // A script smuggled in by the data would call these; record instead of blocking on a dialog.
              var dialogs = [];
              window.alert = window.confirm = window.prompt = function (m) { dialogs.push(String(m)); };
              var tries = 0;
              function report() {
                var filter = document.getElementById('probe-filter');
                if (filter && !filter.done) {
                  // Drive the page's filters as a user would, then report what stays visible.
                  filter.done = true;
                  var status = document.getElementById('filter-status'), text = document.getElementById('filter-prompt');
                  status.value = filter.getAttribute('data-status');
                  status.dispatchEvent(new Event('change'));
                  text.value = filter.getAttribute('data-prompt');
                  text.dispatchEvent(new Event('input'));
                }
                var imgs = Array.prototype.slice.call(document.images);
                if (imgs.some(function (i) { return !i.complete; }) && tries++ < 40) { setTimeout(report, 100); return; }
                var result = {
                  images: imgs.map(function (i) { return [i.getAttribute('src'), i.naturalWidth]; }),
                  prompts: Array.prototype.map.call(document.querySelectorAll('.prompt'),
                      function (e) { return e.textContent; }),
                  // the page's own filter script is not counted: only scripts from elsewhere (the probe, smuggled)
                  scripts: document.querySelectorAll('script:not(#gallery-filters)').length,
                  visible: Array.prototype.map.call(document.querySelectorAll('figure.image:not([hidden]) .prompt'),
                      function (e) { return e.textContent; }),
                  filterCount: (document.getElementById('filter-count') || {}).textContent || '',
                  dialogs: dialogs,
                  errors: Array.prototype.map.call(document.querySelectorAll('.dead-letters tbody td:nth-child(4)'),
                      function (e) { return e.textContent; })
                };
                var out = document.createElement('pre');
                out.id = 'probe';
                out.textContent = encodeURIComponent(JSON.stringify(result));
                document.body.appendChild(out);
              }
              window.addEventListener('load', function () { setTimeout(report, 100); });
            })();
            </script>
            """;
    private static final Pattern PROBE_OUTPUT = Pattern.compile("<pre id=\"probe\">([^<]*)</pre>");


    private GalleryProbe() {
    }

    /** @param extraBody markup appended to the copy's body (e.g. a deliberately broken image as a control) */
    public static JsonNode run(Path indexHtml, Path tmp, String extraBody) throws Exception {
        String html = Files.readString(indexHtml, StandardCharsets.UTF_8);
        // The copy sits beside index.html so its relative links resolve the same.
        Path probed = indexHtml.resolveSibling("probe.html");
        Files.writeString(probed, html.replace("<head>\n", "<head>\n" + PROBE)
                .replace("</body>", extraBody + "\n</body>"), StandardCharsets.UTF_8);
        return probe(HeadlessChromium.dumpDom(probed, tmp));
    }

    private static JsonNode probe(String dom) throws Exception {
        Matcher m = PROBE_OUTPUT.matcher(dom);
        assertTrue(m.find(), "the probe wrote no result; DOM:\n" + dom.substring(0, Math.min(dom.length(), 3000)));
        return JsonMapper.builder().build().readTree(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8));
    }

}
