package chatmail.bench;

import java.io.ByteArrayOutputStream;

/** SMTP transparency (RFC 5321 4.5.2) for content with CRLF line ends. */
final class DotStuffing {
    private DotStuffing() {}

    static byte[] stuff(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 16);
        boolean lineStart = true;
        for (byte b : content) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        return out.toByteArray();
    }

    static byte[] unstuff(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length);
        boolean lineStart = true;
        for (int i = 0; i < content.length; i++) {
            byte b = content[i];
            if (lineStart && b == '.' && i + 1 < content.length && content[i + 1] == '.') {
                i++;
            }
            out.write(content[i]);
            lineStart = content[i] == '\n';
        }
        return out.toByteArray();
    }
}
