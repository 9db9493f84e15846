package chatmail.migrate;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * The bytes of a Maildir message file as Dovecot serves them over IMAP: decompressed when the
 * zlib plugin stored it gzip-compressed ({@code zlib_save = gz}; the plugin, too, decides by the
 * content, not the name), and with every bare LF turned into CRLF, as Dovecot does when it
 * reads a Maildir that holds LF line ends.
 */
public final class MessageFileContent {
    private static final int BUFFER = 16 * 1024;

    private MessageFileContent() {}

    /** How a file's first bytes say it is stored. */
    public enum Storage {
        PLAIN, GZIP,
        /** bzip2, xz, zstd or Dovecot's lz4 container: other zlib plugin settings, not read here. */
        OTHER_COMPRESSION
    }

    public static Storage detect(byte[] head, int length) {
        if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return Storage.GZIP;
        }
        if (startsWith(head, length, 'B', 'Z', 'h')
                || startsWith(head, length, 0xfd, '7', 'z', 'X', 'Z', 0x00)
                || startsWith(head, length, 0x28, 0xb5, 0x2f, 0xfd)
                || startsWith(head, length, 'D', 'o', 'v', 'e', 'c', 'o', 't', '-', 'L', 'Z', '4')) {
            return Storage.OTHER_COMPRESSION;
        }
        return Storage.PLAIN;
    }

    private static boolean startsWith(byte[] head, int length, int... prefix) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((head[i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The message as IMAP serves it, read from the file's raw stream (which this closes).
     * Reading a damaged gzip stream fails with an IOException.
     */
    public static InputStream open(InputStream raw) throws IOException, ReferenceFormatException {
        BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
        in.mark(16);
        byte[] head = new byte[16];
        int n = in.readNBytes(head, 0, head.length);
        in.reset();
        return switch (detect(head, n)) {
            case PLAIN -> new CrlfInputStream(in);
            case GZIP -> new CrlfInputStream(new BufferedInputStream(new GZIPInputStream(in, BUFFER), BUFFER));
            case OTHER_COMPRESSION -> {
                in.close();
                throw new ReferenceFormatException("compressed with other than gzip (zlib_save other than gz)");
            }
        };
    }
}
