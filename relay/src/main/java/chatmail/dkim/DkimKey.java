package chatmail.dkim;

import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The relay's DKIM signing key and the DNS record that publishes its public half. */
public record DkimKey(String selector, PrivateKey privateKey, RSAPublicKey publicKey) {

    /** The TXT value for {@code <selector>._domainkey.<domain>}: {@code v=DKIM1; k=rsa; p=…}. */
    public String txtValue() {
        return "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    /** The DNS name of the key record under {@code domain}. */
    public String recordName(String domain) {
        return selector + "._domainkey." + domain;
    }

    /**
     * {@link #txtValue()} cut into character-strings of at most 255 bytes, the most one TXT
     * string may hold; resolvers join them again (RFC 6376 3.6.2.2).
     */
    public List<String> txtStrings() {
        String value = txtValue();
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < value.length(); i += 255) {
            parts.add(value.substring(i, Math.min(value.length(), i + 255)));
        }
        return parts;
    }
}
