package chatmail.tls;

/** Where the server's key material comes from; asked on every handshake, so it must be cheap. */
@FunctionalInterface
public interface KeyMaterialSource {
    KeyMaterial current();
}
