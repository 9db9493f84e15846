package chatmail.web;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/** Reads QR codes the way a phone camera would: from pixels, with ZXing. */
final class QrDecoding {

    private QrDecoding() {}

    static String decodePng(byte[] png) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        if (image == null) {
            throw new IllegalArgumentException("not an image");
        }
        return decode(image);
    }

    static String decode(BufferedImage image) throws Exception {
        BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image)));
        return new QRCodeReader().decode(bitmap, Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE)).getText();
    }

    private static final Pattern VIEW_BOX = Pattern.compile("viewBox=\"0 0 (\\d+) (\\d+)\"");
    private static final Pattern SQUARE = Pattern.compile("M(\\d+),(\\d+)h1v1h-1z");

    /** Draws our SVG's unit squares into pixels, then decodes them. */
    static String decodeSvg(byte[] svg) throws Exception {
        String text = new String(svg, StandardCharsets.UTF_8);
        Matcher box = VIEW_BOX.matcher(text);
        if (!box.find()) {
            throw new IllegalArgumentException("no viewBox");
        }
        int size = Integer.parseInt(box.group(1));
        int scale = 8;
        BufferedImage image = new BufferedImage(size * scale, size * scale, BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, size * scale, size * scale);
        g.setColor(java.awt.Color.BLACK);
        Matcher m = SQUARE.matcher(text);
        while (m.find()) {
            g.fillRect(Integer.parseInt(m.group(1)) * scale, Integer.parseInt(m.group(2)) * scale, scale, scale);
        }
        g.dispose();
        return decode(image);
    }
}
