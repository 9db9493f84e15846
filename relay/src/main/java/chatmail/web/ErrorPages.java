package chatmail.web;

import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty itself answers (bad requests, failures in a handler): JSON {@code {"reason":…}}
 * on {@code /new}, whose clients parse every answer, and a short text line elsewhere. No server
 * name, version or stack trace.
 */
final class ErrorPages extends ErrorHandler {

    @Override
    protected void generateResponse(Request request, Response response, int code, String message,
            Throwable cause, Callback callback) {
        String reason = HttpStatus.getMessage(code);
        String path = request.getHttpURI() == null ? null : request.getHttpURI().getPath();
        Reply reply = "/new".equals(path)
                ? Reply.json(code, Map.of("reason", reason))
                : Reply.text(code, Reply.TEXT, code + " " + reason + "\n");
        Replies.send(reply, response, callback);
    }
}
