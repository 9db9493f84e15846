package chatmail.imap;

import chatmail.imap.protocol.ImapCommand;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/** COMPRESS DEFLATE (RFC 4978), offered when {@code imap_compress} is on. */
final class CompressCommand {
    private CompressCommand() {}

    static Result run(ImapSession s, String tag, ImapCommand.Compress compress) throws IOException {
        if (!s.services().config().imapCompress()) {
            return Result.bad("COMPRESS is not enabled on this server.");
        }
        if (s.compressed()) {
            return Result.no("[COMPRESSIONACTIVE] Compression is already active.");
        }
        if (!compress.mechanism().equals("DEFLATE")) {
            return Result.bad("Unsupported compression mechanism.");
        }
        s.out().tagged(tag, "OK", "DEFLATE active");
        s.flush();
        // Bytes the client sent right after the command are already compressed.
        byte[] rest = s.reader().takeBuffered();
        InputStream raw = s.transport().in();
        InputStream compressedIn = rest.length == 0 ? raw : new SequenceInputStream(new ByteArrayInputStream(rest), raw);
        InputStream in = new InflaterInputStream(compressedIn, new Inflater(true), 4096);
        DeflateOutputStream out = new DeflateOutputStream(s.transport().out());
        s.switchStreams(in, out);
        s.compressionStarted(out);
        return Result.ANSWERED;
    }
}
