package chatmail.policy;

import java.io.IOException;

/** The armor or packet stream is not what ENC-1 requires; the message then counts as not encrypted. */
final class MalformedPayloadException extends IOException {
    MalformedPayloadException(String reason) {
        super(reason);
    }
}
