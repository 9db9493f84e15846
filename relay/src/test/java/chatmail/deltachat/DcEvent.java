package chatmail.deltachat;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One event of the Delta Chat core for one account ({@code get_next_event}'s {@code event}
 * object), with the moment this test process received it (System.nanoTime) for latency figures.
 */
record DcEvent(int accountId, JsonNode body, long receivedNanos) {

    String kind() {
        return body.path("kind").asText();
    }

    boolean is(String kind) {
        return kind().equals(kind);
    }

    int msgId() {
        return body.path("msgId").asInt();
    }

    int chatId() {
        return body.path("chatId").asInt();
    }

    int contactId() {
        return body.path("contactId").asInt();
    }

    int progress() {
        return body.path("progress").asInt();
    }

    String text() {
        return body.path("msg").asText(body.path("comment").asText(""));
    }

    @Override
    public String toString() {
        return body.toString();
    }
}
