package chatmail.web;

import org.eclipse.jetty.http.HttpFields;

/**
 * Headers for a static site that loads nothing from elsewhere: no framing, no sniffing, no
 * referrers, and a content security policy that allows only this site's own style sheet and
 * images (inline {@code data:} images carry the self-signed login QR code).
 */
final class SecurityHeaders {

    static final String CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final boolean hsts;

    /** @param hsts send Strict-Transport-Security; only with a certificate browsers trust */
    SecurityHeaders(boolean hsts) {
        this.hsts = hsts;
    }

    /** For every answer, the operator's own pages included. */
    void common(HttpFields.Mutable headers) {
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("X-Frame-Options", "DENY");
        headers.put("Cross-Origin-Opener-Policy", "same-origin");
        if (hsts) {
            headers.put("Strict-Transport-Security", "max-age=31536000");
        }
    }

    /** For the relay's own pages, whose every asset is known. */
    void ownPages(HttpFields.Mutable headers) {
        headers.put("Content-Security-Policy", CSP);
        headers.put("Cross-Origin-Resource-Policy", "same-origin");
    }
}
