package chatmail.imap;

import chatmail.imap.protocol.ImapCommand;
import chatmail.imap.protocol.Wire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GETMETADATA and SETMETADATA (RFC 5464, SPEC IMAP-5). Mailbox {@code ""} holds the server
 * entries (read-only); INBOX holds {@code /private/devicetoken}, several push tokens per account,
 * each valid for 90 days after its last SETMETADATA. Other entries read as NIL and cannot be set.
 */
final class MetadataCommand {
    static final String DEVICE_TOKEN = DeviceTokens.ENTRY;
    static final Duration TOKEN_LIFETIME = DeviceTokens.LIFETIME;
    static final int MAX_TOKENS = DeviceTokens.MAX_PER_ACCOUNT;
    /** Push tokens are a few hundred bytes; the limit only stops abuse. */
    static final int MAX_VALUE_SIZE = 4096;

    private MetadataCommand() {}

    static Result get(ImapSession s, ImapCommand.GetMetadata get) throws IOException {
        Map<String, String> available;
        String mailbox;
        if (get.mailbox().isEmpty()) {
            mailbox = "";
            available = s.services().serverMetadata().entries();
        } else {
            mailbox = MailboxNames.normalize(get.mailbox());
            if (s.store().mailbox(s.account().id(), mailbox).isEmpty()) {
                return Result.no("[NONEXISTENT] Mailbox doesn't exist.");
            }
            available = new LinkedHashMap<>();
            if (mailbox.equals(MailboxNames.INBOX)) {
                List<String> tokens = s.store().metadataValues(s.account().id(), DEVICE_TOKEN, s.services().clock().instant());
                available.put(DEVICE_TOKEN, tokens.isEmpty() ? null : String.join(" ", tokens));
            }
        }
        Map<String, String> answer = new LinkedHashMap<>();
        for (String requested : get.entries()) {
            String key = requested.toLowerCase(java.util.Locale.ROOT);
            boolean matched = false;
            for (Map.Entry<String, String> e : available.entrySet()) {
                if (within(key, e.getKey(), get.depth())) {
                    answer.putIfAbsent(e.getKey(), e.getValue());
                    matched = true;
                }
            }
            // An entry that is not there reads as NIL, unless entries below it answered.
            if (!matched && !answer.containsKey(key)) {
                answer.put(requested, null);
            }
        }
        long longest = 0;
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, String> e : answer.entrySet()) {
            String value = e.getValue();
            if (value != null && get.maxSize() >= 0) {
                long size = value.getBytes(StandardCharsets.UTF_8).length;
                if (size > get.maxSize()) {
                    longest = Math.max(longest, size);
                    continue;
                }
            }
            parts.add(Wire.astring(e.getKey()) + " " + Wire.nstring(value));
        }
        if (!parts.isEmpty()) {
            s.out().untagged("METADATA " + Wire.astring(mailbox) + " (" + String.join(" ", parts) + ")");
        }
        return Result.ok((longest > 0 ? "[METADATA LONGENTRIES " + longest + "] " : "") + "Getmetadata completed.");
    }

    /** True when {@code entry} is {@code requested} or below it within {@code depth}. */
    private static boolean within(String requested, String entry, String depth) {
        if (entry.equals(requested)) {
            return true;
        }
        if (depth.equals("0") || !entry.startsWith(requested + "/")) {
            return false;
        }
        return depth.equals("infinity") || entry.indexOf('/', requested.length() + 1) < 0;
    }

    static Result set(ImapSession s, ImapCommand.SetMetadata set) {
        if (set.mailbox().isEmpty()) {
            return Result.no("[NOPERM] Server entries are read-only.");
        }
        String mailbox = MailboxNames.normalize(set.mailbox());
        if (s.store().mailbox(s.account().id(), mailbox).isEmpty()) {
            return Result.no("[NONEXISTENT] Mailbox doesn't exist.");
        }
        for (ImapCommand.MetadataEntry e : set.entries()) {
            if (!mailbox.equals(MailboxNames.INBOX) || !e.entry().equalsIgnoreCase(DEVICE_TOKEN)) {
                return Result.no("[NOPERM] Only /private/devicetoken on INBOX can be set.");
            }
            if (e.value() != null && e.value().getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_SIZE) {
                return Result.no("[METADATA MAXSIZE " + MAX_VALUE_SIZE + "] Value too long.");
            }
        }
        long accountId = s.account().id();
        Instant now = s.services().clock().instant();
        for (ImapCommand.MetadataEntry e : set.entries()) {
            String value = e.value() == null ? null : e.value().strip();
            if (value == null || value.isEmpty()) {
                s.store().clearMetadata(accountId, DEVICE_TOKEN);
            } else {
                s.store().addMetadataValue(accountId, DEVICE_TOKEN, value, now.plus(TOKEN_LIFETIME), MAX_TOKENS);
            }
        }
        return Result.ok("Setmetadata completed.");
    }
}
