package chatmail.tls.x25519;

import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.NamedParameterSpec;

/** Whether parameters name X25519, the one curve of this provider. */
final class X25519Params {
    private X25519Params() {
    }

    static boolean named(AlgorithmParameterSpec params) {
        return params instanceof NamedParameterSpec named
                && named.getName().equalsIgnoreCase(NamedParameterSpec.X25519.getName());
    }
}
