package chatmail.deltachat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JSON-RPC 2.0 over a pair of streams, one JSON object per line (the framing of
 * {@code deltachat-rpc-server}). Answers may come in any order; they are matched by id.
 *
 * <p>The peer can die with calls outstanding, and then nobody would ever answer them: every
 * pending and every later call fails as soon as the input ends or {@link #peerGone} is
 * completed, and blocking calls also give up after a timeout.
 */
final class JsonRpcClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private final OutputStream toPeer;
    private final String peerName;
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final CompletableFuture<Void> gone = new CompletableFuture<>();
    private final Thread reader;

    JsonRpcClient(InputStream fromPeer, OutputStream toPeer, String peerName) {
        this.toPeer = toPeer;
        this.peerName = peerName;
        this.reader = Thread.ofPlatform().daemon().name(peerName + "-jsonrpc-reader").start(() -> readLoop(fromPeer));
    }

    /** Completes (normally) when the peer can no longer answer. */
    CompletableFuture<Void> gone() {
        return gone;
    }

    /** Declares the peer dead (for example when its process exited), failing what is pending. */
    void peerGone(String why) {
        if (gone.complete(null)) {
            RpcPeerGoneException e = new RpcPeerGoneException(peerName + " is gone: " + why);
            pending.values().forEach(f -> f.completeExceptionally(e));
            pending.clear();
        }
    }

    /** Sends a request; the future completes with its result, or fails with the error or the peer's end. */
    CompletableFuture<JsonNode> send(String method, Object... params) {
        long id = nextId.getAndIncrement();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        if (gone.isDone()) {
            pending.remove(id);
            answer.completeExceptionally(new RpcPeerGoneException(peerName + " is gone; cannot call " + method));
            return answer;
        }
        ObjectNode request = JSON.createObjectNode();
        request.put("jsonrpc", "2.0");
        request.put("id", id);
        request.put("method", method);
        ArrayNode p = request.putArray("params");
        for (Object param : params) {
            p.add(JSON.valueToTree(param));
        }
        try {
            byte[] line = (JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (toPeer) {
                toPeer.write(line);
                toPeer.flush();
            }
        } catch (IOException e) {
            peerGone("writing " + method + " failed: " + e.getMessage());
        }
        return answer;
    }

    /** A call that returns its result, or throws on an error answer, the peer's end, or the timeout. */
    JsonNode call(Duration timeout, String method, Object... params) {
        CompletableFuture<JsonNode> answer = send(method, params);
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new RpcTimeoutException(method + " got no answer from " + peerName + " within " + timeout);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                // Rethrown from this thread so the stack says which call it was.
                r.addSuppressed(new Exception("while calling " + method));
                throw r;
            }
            throw new IllegalStateException(method + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling " + method, e);
        }
    }

    private void readLoop(InputStream fromPeer) {
        String end = "its output ended";
        try (BufferedReader in = new BufferedReader(new InputStreamReader(fromPeer, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    dispatch(line);
                }
            }
        } catch (IOException e) {
            end = "reading its output failed: " + e.getMessage();
        } finally {
            peerGone(end);
        }
    }

    private void dispatch(String line) throws IOException {
        JsonNode message = JSON.readTree(line);
        JsonNode idNode = message.get("id");
        if (idNode == null || !idNode.canConvertToLong()) {
            return; // a notification: deltachat-rpc-server sends none, events come through get_next_event
        }
        CompletableFuture<JsonNode> answer = pending.remove(idNode.asLong());
        if (answer == null) {
            return;
        }
        JsonNode error = message.get("error");
        if (error != null && !error.isNull()) {
            answer.completeExceptionally(new RpcErrorException(error.path("code").asInt(), error.path("message").asText()));
        } else {
            answer.complete(message.path("result"));
        }
    }

    @Override
    public void close() {
        peerGone("closed by the test");
        reader.interrupt();
    }

    /** The peer answered with a JSON-RPC error object. */
    static final class RpcErrorException extends RuntimeException {
        final int code;

        RpcErrorException(int code, String message) {
            super("JSON-RPC error " + code + ": " + message);
            this.code = code;
        }
    }

    /** The peer ended (exited, closed its output) before answering. */
    static final class RpcPeerGoneException extends RuntimeException {
        RpcPeerGoneException(String message) {
            super(message);
        }
    }

    /** No answer within the caller's timeout. */
    static final class RpcTimeoutException extends RuntimeException {
        RpcTimeoutException(String message) {
            super(message);
        }
    }
}
