package chatmail.util;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value made on first use, once, for what a relay may never need after start-up (an outbound
 * TLS trust store, an HTTP client, a QR code image): start-up then does not pay for it. A
 * failure is not remembered; the next use tries again.
 */
public final class Lazy<T> implements Supplier<T> {
    private final Supplier<? extends T> maker;
    private volatile T value;

    public Lazy(Supplier<? extends T> maker) {
        this.maker = Objects.requireNonNull(maker, "maker");
    }

    @Override
    public T get() {
        T v = value;
        if (v == null) {
            synchronized (this) {
                v = value;
                if (v == null) {
                    v = Objects.requireNonNull(maker.get(), "a lazy value must not be null");
                    value = v;
                }
            }
        }
        return v;
    }

    /** The value if it was made, else null; for closing what was opened. */
    public T ifMade() {
        return value;
    }
}
