package chatmail.storage;

import chatmail.store.MailStore;
import chatmail.store.MessageBody;
import chatmail.store.StoredContent;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A message of one store handed to another as a body to store: opened and streamed when the
 * target reads it, so a batch of messages on its way holds no message's bytes (SEC-1). It never
 * offers a file, so the target cannot take over (rename) the source's own body file.
 */
record StoredMessageBody(MailStore source, long mailboxId, long uid, long size) implements MessageBody {

    @Override
    public InputStream openStream() throws IOException {
        StoredContent content = source.open(mailboxId, uid);
        if (content.size() != size) {
            content.close();
            throw new IOException("stored message changed size while being moved");
        }
        return new FilterInputStream(content.range(0, size)) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    content.close();
                }
            }
        };
    }
}
