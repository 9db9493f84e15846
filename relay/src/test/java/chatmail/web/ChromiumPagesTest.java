package chatmail.web;

import chatmail.testing.MissingProgram;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import chatmail.testing.TestRelay;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The pages as a person sees them: headless Chromium (Debian package {@code chromium}) renders
 * them at phone and desktop widths; the text must be there and screenshots are kept in
 * {@code target/screenshots} for looking at.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChromiumPagesTest {

    private static final long TIMEOUT_SECONDS = 120;

    Path chromium;
    TestRelay relay;
    TestRelay selfSigned;
    Path profile;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Optional<Path> found = findChromium();
        if (found.isEmpty()) {
            String message = "chromium is not installed (Debian package chromium; scripts/install-test-deps installs it)";
            throw MissingProgram.report(message);
        }
        chromium = found.get();
        relay = WebRelays.external(dir.resolve("public"), b -> { });
        selfSigned = TestRelay.start(Files.createDirectories(dir.resolve("selfsigned")));
        profile = Files.createDirectories(dir.resolve("profile"));
        Files.createDirectories(Path.of("target", "screenshots"));
    }

    @AfterAll
    void stop() {
        if (relay != null) {
            relay.close();
        }
        if (selfSigned != null) {
            selfSigned.close();
        }
    }

    @ParameterizedTest(name = "{0} at {1}x{2}")
    @CsvSource({
        "/, 390, 844, phone",
        "/, 1280, 800, desktop",
        "/info.html, 390, 844, phone",
        "/info.html, 1280, 800, desktop",
        "/privacy.html, 390, 844, phone",
    })
    void pagesRenderWithTheirTextAtPhoneAndDesktopWidth(String path, int width, int height, String device) throws Exception {
        String url = WebRelays.https(relay, path);
        String dom = run(width, height, "--dump-dom", url);
        assertThat(dom).contains("chat.example").contains("20 days");
        if (path.equals("/")) {
            assertThat(dom).contains("Get a chat.example profile").contains("/qr.svg");
        }
        if (path.equals("/info.html")) {
            assertThat(dom).contains("Unencrypted mail cannot be sent or received").contains("500 MB");
        }
        Path shot = screenshot(url, width, height, (path.equals("/") ? "index" : path.substring(1).replace(".html", "")) + "-" + device);
        BufferedImage image = ImageIO.read(shot.toFile());
        assertThat(image.getWidth()).isEqualTo(width);
        assertThat(image.getHeight()).isEqualTo(height);
    }

    @ParameterizedTest(name = "self-signed index at {0}x{1}")
    @CsvSource({"390, 844, phone", "1280, 800, desktop"})
    void theSelfSignedIndexShowsItsLoginQrCode(int width, int height, String device) throws Exception {
        selfSigned.clock().advance(java.time.Duration.ofMinutes(1));
        String url = WebRelays.https(selfSigned, "/");
        String dom = run(width, height, "--dump-dom", url);
        assertThat(dom).contains("chatmail.localhost").contains("dclogin:").contains("data:image/png;base64,");
        Path shot = screenshot(url, width, height, "index-selfsigned-" + device);
        assertThat(Files.size(shot)).isPositive();
    }

    private Path screenshot(String url, int width, int height, String name) throws Exception {
        Path shot = Path.of("target", "screenshots", name + ".png").toAbsolutePath();
        Files.deleteIfExists(shot);
        run(width, height, "--screenshot=" + shot, url);
        assertThat(shot).exists();
        return shot;
    }

    private String run(int width, int height, String mode, String url) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium.toString(),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--ignore-certificate-errors", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height, mode, url));
        Path out = Files.createTempFile("chromium", ".out");
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(false)
                .redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish within " + TIMEOUT_SECONDS + " s: " + command);
        }
        assertThat(p.exitValue()).as("chromium exit code for %s", command).isZero();
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        return text;
    }

    private static Optional<Path> findChromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
