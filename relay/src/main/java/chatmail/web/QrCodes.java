package chatmail.web;

import io.nayuki.qrcodegen.QrCode;
import java.nio.charset.StandardCharsets;

/** QR codes as PNG and SVG, with the four-module quiet zone scanners need. */
final class QrCodes {

    private static final int BORDER = 4;

    private QrCodes() {}

    static QrCode encode(String text) {
        return QrCode.encodeText(text, QrCode.Ecc.MEDIUM);
    }

    /** A black-on-white PNG, {@code scale} pixels per module. */
    static byte[] png(String text, int scale) {
        QrCode qr = encode(text);
        int size = (qr.size + 2 * BORDER) * scale;
        return BilevelPng.encode(size, size, (x, y) -> qr.getModule(x / scale - BORDER, y / scale - BORDER));
    }

    /** A scalable SVG: one path of unit squares on a white background. */
    static byte[] svg(String text) {
        QrCode qr = encode(text);
        int size = qr.size + 2 * BORDER;
        StringBuilder path = new StringBuilder();
        for (int y = 0; y < qr.size; y++) {
            for (int x = 0; x < qr.size; x++) {
                if (qr.getModule(x, y)) {
                    path.append('M').append(x + BORDER).append(',').append(y + BORDER).append("h1v1h-1z");
                }
            }
        }
        String svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 " + size + " " + size
                + "\" shape-rendering=\"crispEdges\">\n"
                + "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
                + "<path d=\"" + path + "\" fill=\"#000000\"/>\n"
                + "</svg>\n";
        return svg.getBytes(StandardCharsets.UTF_8);
    }
}
