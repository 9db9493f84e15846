package chatmail.dkim;

import chatmail.dns.DkimKeyCache;
import chatmail.dns.DnsTemporaryException;
import chatmail.policy.FromAddress;
import chatmail.policy.RawHeaderSection;
import chatmail.policy.Replies;
import chatmail.policy.Verdict;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.james.jdkim.DKIMVerifier;
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
 * <p>Keys come through {@link DkimKeyCache}; a key that took part in a failed verification is
 * dropped from it, so a sender's key rotation heals with the next message. Thread-safe.
 */
public final class DkimVerifier {

    private final DkimKeyCache keys;

    public DkimVerifier(DkimKeyCache keys) {
        this.keys = keys;
    }

    public Verdict check(byte[] message) {
        RawHeaderSection headers = RawHeaderSection.parse(message);
        Optional<FromAddress> from = FromAddress.single(headers.values("From"));
        if (from.isPresent() && from.get().domain().startsWith("[")) {
            return Verdict.accept();
        }
        if (headers.values("DKIM-Signature").isEmpty()) {
            return Verdict.reject(Replies.NO_DKIM_SIGNATURE);
        }
        if (from.isEmpty()) {
            // No single author: nothing a signature could be aligned with.
            return Verdict.reject(Replies.NO_VALID_DKIM_SIGNATURE);
        }
        String fromDomain = normalize(from.get().domain());

        DKIMVerifier verifier = new DKIMVerifier(retriever());
        try {
            List<SignatureRecord> valid = verifier.verify(new ByteArrayInputStream(message));
            if (valid == null) {
                return Verdict.reject(Replies.NO_DKIM_SIGNATURE);
            }
        } catch (FailException noneValid) {
            // the per-signature results below say why
        } catch (IOException e) {
            return Verdict.reject(Replies.NO_VALID_DKIM_SIGNATURE);
        }

        boolean temporary = false;
        for (Result result : verifier.getResults()) {
            SignatureRecord record = result.getRecord();
            String domain = record == null || record.getDToken() == null ? "" : normalize(record.getDToken().toString());
            boolean aligned = domain.equals(fromDomain);
            if (result.isSuccess()) {
                if (aligned) {
                    return Verdict.accept();
                }
            } else if (result.getResultType() == Result.Type.TEMPERROR) {
                temporary |= aligned;
            } else if (record != null && record.getSelector() != null && !domain.isEmpty()) {
                keys.forget(record.getSelector() + "._domainkey." + domain);
            }
        }
        return Verdict.reject(temporary ? Replies.DNS_TEMPORARY_FAILURE : Replies.NO_VALID_DKIM_SIGNATURE);
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
