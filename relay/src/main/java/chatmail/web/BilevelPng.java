package chatmail.web;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A black-and-white picture as a PNG (RFC 2083: one bit per pixel, grayscale), written without
 * AWT: the QR codes needed nothing else of it, and AWT and ImageIO made the first page with a QR
 * code load some 130 classes and libawt, 0.1 to 0.4 s after a start (docs/decisions.md,
 * "Start-up and memory").
 */
final class BilevelPng {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /** Whether the pixel at (x, y) is black. */
    @FunctionalInterface
    interface Pixels {
        boolean black(int x, int y);
    }

    private BilevelPng() {}

    static byte[] encode(int width, int height, Pixels pixels) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("an image needs pixels: " + width + " x " + height);
        }
        int rowBytes = (width + 7) / 8;
        // Each row: filter type 0 (none), then the pixels, most significant bit first; 1 is white.
        byte[] raw = new byte[height * (1 + rowBytes)];
        for (int y = 0; y < height; y++) {
            int row = y * (1 + rowBytes) + 1;
            for (int x = 0; x < width; x++) {
                if (!pixels.black(x, y)) {
                    raw[row + x / 8] |= (byte) (0x80 >>> (x % 8));
                }
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream(raw.length / 4 + 64);
        png.writeBytes(SIGNATURE);
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 1)  // bit depth
                .put((byte) 0)  // color type: grayscale
                .put((byte) 0)  // compression: deflate
                .put((byte) 0)  // filter method 0
                .put((byte) 0)  // no interlace
                .array());
        chunk(png, "IDAT", deflate(raw));
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
            byte[] buffer = new byte[8192];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        png.writeBytes(name);
        png.writeBytes(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
