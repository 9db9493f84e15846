package chatmail.deltachat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One Delta Chat profile (a core "account") driven as a user would: configured with explicit
 * server settings, then chatting. Waits are on the core's events, never on sleeps.
 */
final class DeltaChatProfile {

    /** Message states of the core ({@code DC_STATE_*}). */
    static final int STATE_OUT_FAILED = 24;
    static final int STATE_OUT_DELIVERED = 26;

    private final DeltaChatCore core;
    private final int id;
    private final EventLog events;
    private final String name;
    private String addr;

    private DeltaChatProfile(DeltaChatCore core, int id, String name) {
        this.core = core;
        this.id = id;
        this.name = name;
        this.events = core.events(id);
        events.rename(name + "-" + id);
    }

    /**
     * A new, unconfigured profile. It is a bot: the core then does not rate-limit its own
     * sending (about one message per second otherwise), which the tests' bursts would hit.
     */
    static DeltaChatProfile create(DeltaChatCore core, String name) {
        int id = core.call("add_account").asInt();
        DeltaChatProfile p = new DeltaChatProfile(core, id, name);
        p.setConfig("bot", "1");
        p.setConfig("displayname", name);
        return p;
    }

    int id() {
        return id;
    }

    String name() {
        return name;
    }

    String addr() {
        return addr;
    }

    EventLog events() {
        return events;
    }

    int mark() {
        return events.mark();
    }

    DcTimeouts timeouts() {
        return core.timeouts();
    }

    JsonNode call(String method, Object... paramsAfterAccount) {
        return core.call(method, withAccount(paramsAfterAccount));
    }

    JsonNode callWithin(Duration timeout, String method, Object... paramsAfterAccount) {
        return core.call(timeout, method, withAccount(paramsAfterAccount));
    }

    private Object[] withAccount(Object[] params) {
        Object[] all = new Object[params.length + 1];
        all[0] = id;
        System.arraycopy(params, 0, all, 1, params.length);
        return all;
    }

    void setConfig(String key, String value) {
        call("set_config", key, value);
    }

    String config(String key) {
        JsonNode v = call("get_config", key);
        return v.isNull() ? null : v.asText();
    }

    /**
     * Adds the relay as this profile's transport with explicit settings and waits until the
     * core has logged in over IMAP and SMTP (the call returns when configuring ends).
     */
    void configure(LoginParams login) {
        int from = mark();
        try {
            callWithin(timeouts().configure(), "add_or_update_transport", login.toJson());
        } catch (RuntimeException e) {
            throw new AssertionError(name + ": configuring " + login.addr() + " failed: " + e.getMessage()
                    + configureComments(from) + events.recentProblems(from), e);
        }
        this.addr = login.addr();
        events.await(from, e -> e.is("ConfigureProgress") && e.progress() == 1000, timeouts().call(),
                name + ": ConfigureProgress 1000");
        awaitInboxIdle(from);
    }

    /**
     * Waits until the core's inbox loop has selected INBOX and idles. The core skips whatever
     * is in INBOX at its very first SELECT (it takes UIDNEXT as the start), so a message sent
     * to a profile that is configured but not yet idle may never be fetched; users are never
     * that quick, tests are.
     */
    void awaitInboxIdle(int from) {
        events.await(from, e -> e.is("ImapInboxIdle"), timeouts().configure(), name + ": IDLE in INBOX");
    }

    /** Configures from a {@code dclogin:} link, as a user scanning the relay's QR code does. */
    void configureFromQr(String dcloginUrl) {
        int from = mark();
        try {
            callWithin(timeouts().configure(), "add_transport_from_qr", dcloginUrl);
        } catch (RuntimeException e) {
            throw new AssertionError(name + ": configuring from a dclogin link failed: " + e.getMessage()
                    + configureComments(from) + events.recentProblems(from), e);
        }
        this.addr = config("configured_addr");
        awaitInboxIdle(from);
    }

    private String configureComments(int from) {
        StringBuilder b = new StringBuilder();
        for (DcEvent e : events.since(from)) {
            if (e.is("ConfigureProgress") && !e.body().path("comment").isNull()) {
                b.append("\n  configure: ").append(e.body().path("comment").asText());
            }
        }
        return b.toString();
    }

    /** The setup-contact QR code (chatId null) or a group's invite QR code. */
    String securejoinQr(Integer chatId) {
        return call("get_chat_securejoin_qr_code", chatId).asText();
    }

    /** Starts the Secure-Join handshake from a scanned QR code; returns the chat it leads to. */
    int secureJoin(String qr) {
        return call("secure_join", qr).asInt();
    }

    int chatWithContact(int contactId) {
        return call("create_chat_by_contact_id", contactId).asInt();
    }

    int sendText(int chatId, String text) {
        return call("misc_send_text_message", chatId, text).asInt();
    }

    int sendMessage(int chatId, Map<String, Object> data) {
        return call("send_msg", chatId, data).asInt();
    }

    int sendReaction(int msgId, String emoji) {
        return call("send_reaction", msgId, List.of(emoji)).asInt();
    }

    JsonNode message(int msgId) {
        return call("get_message", msgId);
    }

    JsonNode chat(int chatId) {
        return call("get_full_chat_by_id", chatId);
    }

    JsonNode contact(int contactId) {
        return call("get_contact", contactId);
    }

    /** The chat's messages, oldest first, without info messages (they are the core's own notes). */
    List<JsonNode> chatMessages(int chatId) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode id : call("get_message_ids", chatId, false, false)) {
            JsonNode m = message(id.asInt());
            if (!m.path("isInfo").asBoolean()) {
                out.add(m);
            }
        }
        return out;
    }

    /** The first IncomingMsg after {@code from} whose message matches. */
    Incoming awaitIncoming(int from, Predicate<JsonNode> matches, String what) {
        return awaitIncoming(from, matches, what, timeouts().delivery());
    }

    Incoming awaitIncoming(int from, Predicate<JsonNode> matches, String what, Duration timeout) {
        int at = from;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            int i = events.awaitIndex(at, e -> e.is("IncomingMsg"), left, name + ": incoming " + what);
            DcEvent e = events.since(i).get(0);
            JsonNode m = message(e.msgId());
            if (matches.test(m)) {
                return new Incoming(e, m);
            }
            at = i + 1;
        }
    }

    Incoming awaitIncomingText(int from, String text) {
        return awaitIncomingText(from, text, timeouts().delivery());
    }

    Incoming awaitIncomingText(int from, String text, Duration timeout) {
        return awaitIncoming(from, m -> text.equals(m.path("text").asText()), "message '" + text + "'", timeout);
    }

    /** An IncomingMsg event and the message it announced. */
    record Incoming(DcEvent event, JsonNode message) {
        int msgId() {
            return event.msgId();
        }

        int chatId() {
            return event.chatId();
        }
    }

    DcEvent await(int from, Predicate<DcEvent> match, Duration timeout, String what) {
        return events.await(from, match, timeout, name + ": " + what);
    }

    void stopIo() {
        call("stop_io");
    }

    void startIo() {
        call("start_io");
    }

    @Override
    public String toString() {
        return name + "<" + addr + ">";
    }
}
