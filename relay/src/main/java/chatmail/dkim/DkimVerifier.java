package chatmail.dkim;

import chatmail.dns.DkimKeyCache;
import chatmail.dns.DnsTemporaryException;
import chatmail.mime.HeaderSection;
import chatmail.policy.FromAddress;
import chatmail.policy.Replies;
import chatmail.policy.Verdict;
import chatmail.store.MessageBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.Headers;
import org.apache.james.jdkim.api.PublicKeyRecordRetriever;
import org.apache.james.jdkim.api.Result;
import org.apache.james.jdkim.api.SignatureRecord;
import org.apache.james.jdkim.exceptions.FailException;
import org.apache.james.jdkim.exceptions.PermFailException;
import org.apache.james.jdkim.exceptions.TempFailException;

/**
 * The incoming origin check (SMTP-8): the message passes when at least one DKIM signature is
 * valid and its {@code d=} equals the {@code From:} domain (strict alignment, as the reference's
 * {@code adkim=s}). Else {@code 554 5.7.1 No DKIM signature found} when there is no signature,
 * {@code 451 4.4.3} when the key of an aligned signature could not be fetched for now, and
 * {@code 554 5.7.1 No valid DKIM signature found} otherwise. A From address at an IP literal
 * ({@code user@[1.2.3.4]}, IP-only relays) cannot be DKIM-signed and is not checked.
 *
 * <p>SEC-4: each signature checked costs a DNS lookup and a hash of the body, so only signatures
 * whose {@code d=} is the From domain are checked, at most {@link #MAX_CHECKED} of them (the
 * topmost, the latest added); the others could not make the message pass anyway. The body is
 * streamed from the spool, never held.
 *
 * <p>Keys come through {@link DkimKeyCache}; a key that took part in a failed verification is
 * dropped from it, so a sender's key rotation heals with the next message. Thread-safe.
 */
public final class DkimVerifier {

    /** Aligned signatures checked per message at most. */
    public static final int MAX_CHECKED = 3;

    /** jdkim asks for the signatures to verify with exactly this name. */
    private static final String SIGNATURES_QUERY = "DKIM-Signature";

    // Compiled once: String.replaceAll compiles its pattern on every call, and every header field
    // of every message signed or verified that is folded, and every signature of a DKIM-heavy one, passes here.
    private static final Pattern LINE_BREAK = Pattern.compile("\r?\n");
    private static final Pattern WHITE_SPACE = Pattern.compile("\\s");

    private final DkimKeyCache keys;

    public DkimVerifier(DkimKeyCache keys) {
        this.keys = keys;
    }

    public Verdict check(byte[] message) {
        try {
            return check(HeaderSection.parse(message), MessageBody.of(message));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param header the message's header section, parsed once by the pipeline
     * @param message the whole message; its body is read from {@code header.length()} on
     * @throws IOException when the spool cannot be read (a local problem)
     */
    public Verdict check(HeaderSection header, MessageBody message) throws IOException {
        Optional<FromAddress> from = FromAddress.single(header.values("From"));
        if (from.isPresent() && from.get().domain().startsWith("[")) {
            return Verdict.accept();
        }
        List<String> signatures = header.rawFields("DKIM-Signature");
        if (signatures.isEmpty()) {
            return Verdict.reject(Replies.NO_DKIM_SIGNATURE);
        }
        if (from.isEmpty()) {
            // No single author: nothing a signature could be aligned with.
            return Verdict.reject(Replies.NO_VALID_DKIM_SIGNATURE);
        }
        String fromDomain = normalize(from.get().domain());
        List<String> aligned = new ArrayList<>();
        for (String signature : signatures) {
            if (aligned.size() < MAX_CHECKED && fromDomain.equals(signingDomain(signature))) {
                aligned.add(signature);
            }
        }
        if (aligned.isEmpty()) {
            return Verdict.reject(Replies.NO_VALID_DKIM_SIGNATURE);
        }

        DKIMVerifier verifier = new DKIMVerifier(retriever());
        try (InputStream body = bodyOf(header, message)) {
            List<SignatureRecord> valid = verifier.verify(headers(header, aligned), body);
            if (valid == null) {
                return Verdict.reject(Replies.NO_DKIM_SIGNATURE);
            }
        } catch (FailException noneValid) {
            // the per-signature results below say why
        }

        boolean temporary = false;
        for (Result result : verifier.getResults()) {
            SignatureRecord record = result.getRecord();
            String domain = record == null || record.getDToken() == null ? "" : normalize(record.getDToken().toString());
            boolean isAligned = domain.equals(fromDomain);
            if (result.isSuccess()) {
                if (isAligned) {
                    return Verdict.accept();
                }
            } else if (result.getResultType() == Result.Type.TEMPERROR) {
                temporary |= isAligned;
            } else if (record != null && record.getSelector() != null && !domain.isEmpty()) {
                keys.forget(record.getSelector() + "._domainkey." + domain);
            }
        }
        return Verdict.reject(temporary ? Replies.DNS_TEMPORARY_FAILURE : Replies.NO_VALID_DKIM_SIGNATURE);
    }

    /** The body as DKIM hashes it: line endings as CRLF (jdkim's own message reader does the same). */
    static InputStream bodyOf(HeaderSection header, MessageBody message) throws IOException {
        return bodyOf(header, message.openStream());
    }

    /** As {@link #bodyOf(HeaderSection, MessageBody)}, from a stream at the message's first byte. */
    static InputStream bodyOf(HeaderSection header, InputStream in) throws IOException {
        try {
            in.skipNBytes(header.length());
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        return new CrlfNormalizingInputStream(in);
    }

    /**
     * The header fields as jdkim reads them ({@code Name: value} with folding, CRLF line
     * breaks), offering only the selected signatures for verification. jdkim asks once per name
     * in a signature's {@code h=} list, which the sender writes: the fields are grouped by name
     * in one pass, so a long {@code h=} costs no scan of the header per entry (SEC-4). A name's
     * text is made when it is first asked for: the signatures not checked (a DKIM-heavy message
     * carries dozens) and the fields no {@code h=} names are never copied.
     */
    static Headers headers(HeaderSection header, List<String> signaturesToCheck) {
        Map<String, List<HeaderSection.Field>> byName = new HashMap<>();
        for (HeaderSection.Field f : header.fields()) {
            if (f.name() != null) {
                byName.computeIfAbsent(f.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(f);
            }
        }
        List<String> selected = signaturesToCheck.stream().map(DkimVerifier::crlf).toList();
        Map<String, List<String>> named = new HashMap<>();
        return new Headers() {
            private List<String> fields;

            @Override
            public List<String> getFields() {
                if (fields == null) {
                    fields = header.fields().stream().filter(f -> f.name() != null).map(f -> crlf(header.raw(f))).toList();
                }
                return fields;
            }

            @Override
            public List<String> getFields(String name) {
                if (name.equals(SIGNATURES_QUERY)) {
                    return selected;
                }
                String key = name.toLowerCase(Locale.ROOT);
                List<HeaderSection.Field> found = byName.get(key);
                if (found == null) {
                    return List.of();
                }
                return named.computeIfAbsent(key, k -> found.stream().map(f -> crlf(header.raw(f))).toList());
            }
        };
    }

    private static String crlf(String field) {
        return field.indexOf('\n') < 0 ? field : LINE_BREAK.matcher(field).replaceAll("\r\n");
    }

    /** The d= tag of a DKIM-Signature field, normalized, or "" when it has none. */
    static String signingDomain(String rawField) {
        int colon = rawField.indexOf(':');
        String value = colon < 0 ? rawField : rawField.substring(colon + 1);
        for (String tag : value.split(";")) {
            int eq = tag.indexOf('=');
            if (eq > 0 && tag.substring(0, eq).strip().equals("d")) {
                return normalize(WHITE_SPACE.matcher(tag.substring(eq + 1)).replaceAll(""));
            }
        }
        return "";
    }

    private PublicKeyRecordRetriever retriever() {
        return (method, selector, domain) -> {
            if (!"dns/txt".equalsIgnoreCase(method.toString())) {
                throw new PermFailException("unsupported key query method " + method);
            }
            String name = selector + "._domainkey." + domain;
            List<String> records;
            try {
                records = keys.lookup(name);
            } catch (DnsTemporaryException e) {
                throw new TempFailException("DNS: " + e.getMessage());
            }
            if (records.isEmpty()) {
                throw new PermFailException("no key record at " + name);
            }
            return records;
        };
    }

    private static String normalize(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }
}
