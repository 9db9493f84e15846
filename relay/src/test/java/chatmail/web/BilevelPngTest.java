package chatmail.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Our PNG writer against the JDK's PNG reader: every pixel as drawn, at widths not a multiple of 8. */
class BilevelPngTest {

    @Test
    void aReaderSeesEveryPixelAsDrawn() throws Exception {
        Random random = new Random(42);
        for (int[] size : new int[][] {{1, 1}, {7, 3}, {8, 8}, {9, 2}, {33, 17}, {264, 264}}) {
            int width = size[0];
            int height = size[1];
            boolean[][] black = new boolean[height][width];
            for (boolean[] row : black) {
                for (int x = 0; x < width; x++) {
                    row[x] = random.nextBoolean();
                }
            }
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(BilevelPng.encode(width, height, (x, y) -> black[y][x])));

            assertThat(image).as("%d x %d decodes", width, height).isNotNull();
            assertThat(image.getWidth()).isEqualTo(width);
            assertThat(image.getHeight()).isEqualTo(height);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int rgb = image.getRGB(x, y) & 0xFFFFFF;
                    assertThat(rgb).as("pixel (%d, %d) of %d x %d", x, y, width, height)
                            .isEqualTo(black[y][x] ? 0x000000 : 0xFFFFFF);
                }
            }
        }
    }

    @Test
    void anEmptyImageIsRefused() {
        assertThatThrownBy(() -> BilevelPng.encode(0, 5, (x, y) -> true)).isInstanceOf(IllegalArgumentException.class);
    }
}
