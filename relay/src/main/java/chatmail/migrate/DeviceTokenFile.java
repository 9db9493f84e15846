package chatmail.migrate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code <mailboxes>/<address>/metadata.json}, where chatmaild keeps an account's push device
 * tokens: {@code {"devicetoken": {"<token>": <unix seconds of the last SET>, …}}}, or in older
 * files a list {@code {"devicetoken": ["<token>", …]}} without times. Other keys are ignored.
 */
public final class DeviceTokenFile {
    private static final int MAX_SIZE = 1 << 20;
    private static final int MAX_TOKEN_LENGTH = 4096;
    private static final String KEY = "devicetoken";
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build())
            .build();

    private DeviceTokenFile() {}

    /**
     * One token as the file holds it.
     *
     * @param setAt the time of its last SETMETADATA, or empty in the old list form
     */
    public record DeviceToken(String token, java.util.Optional<Instant> setAt) {}

    public static List<DeviceToken> parse(byte[] content) throws ReferenceFormatException {
        if (content.length > MAX_SIZE) {
            throw new ReferenceFormatException("metadata.json too large");
        }
        try (JsonParser parser = JSON.createParser(content)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new ReferenceFormatException("metadata.json is not a JSON object");
            }
            List<DeviceToken> tokens = List.of();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                JsonToken value = parser.nextToken();
                if (KEY.equals(key)) {
                    tokens = switch (value) {
                        case START_OBJECT -> timed(parser);
                        case START_ARRAY -> untimed(parser);
                        default -> throw new ReferenceFormatException("devicetoken is neither an object nor a list");
                    };
                } else {
                    parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new ReferenceFormatException("metadata.json has trailing content");
            }
            return tokens;
        } catch (IOException e) {
            throw new ReferenceFormatException("metadata.json is not valid JSON: " + e.getClass().getSimpleName(), e);
        }
    }

    private static List<DeviceToken> timed(JsonParser parser) throws IOException, ReferenceFormatException {
        Map<String, DeviceToken> tokens = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String token = checked(parser.currentName());
            JsonToken value = parser.nextToken();
            if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
                throw new ReferenceFormatException("a device token's time is not a number");
            }
            double seconds = parser.getDoubleValue();
            if (!(seconds >= 0 && seconds < 1e11)) {
                throw new ReferenceFormatException("a device token's time is out of range");
            }
            tokens.put(token, new DeviceToken(token, java.util.Optional.of(Instant.ofEpochSecond((long) seconds))));
        }
        return List.copyOf(tokens.values());
    }

    private static List<DeviceToken> untimed(JsonParser parser) throws IOException, ReferenceFormatException {
        Map<String, DeviceToken> tokens = new LinkedHashMap<>();
        JsonToken next;
        while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (next != JsonToken.VALUE_STRING) {
                throw new ReferenceFormatException("a device token in the list is not a string");
            }
            String token = checked(parser.getText());
            tokens.putIfAbsent(token, new DeviceToken(token, java.util.Optional.empty()));
        }
        return new ArrayList<>(tokens.values());
    }

    /** A token as IMAP METADATA could have set it: non-empty, no white space or controls. */
    private static String checked(String token) throws ReferenceFormatException {
        if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH
                || token.codePoints().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new ReferenceFormatException("a device token is empty, too long or holds white space");
        }
        return token;
    }
}
