package chatmail.tls;

import java.util.Optional;

/**
 * The key material of a certificate that a CA issues while the relay runs (ACME, OPS-1), with
 * a stand-in (the self-signed certificate) until the first one is installed. A certificate
 * installed later reaches every new handshake on every TLS port; connections already
 * established keep the one they started with.
 */
public final class IssuedCertificateSource implements KeyMaterialSource {
    private final KeyMaterial standIn;
    private volatile KeyMaterial issued;

    public IssuedCertificateSource(KeyMaterial standIn) {
        this.standIn = standIn;
    }

    /** Serves {@code material} from the next handshake on. */
    public void install(KeyMaterial material) {
        issued = material;
    }

    /** The issued certificate, once there is one. */
    public Optional<KeyMaterial> issued() {
        return Optional.ofNullable(issued);
    }

    @Override
    public KeyMaterial current() {
        KeyMaterial material = issued;
        return material != null ? material : standIn;
    }
}
