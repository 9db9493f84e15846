package chatmail.bench;

import java.time.Duration;

/**
 * One kind of load: message size, concurrent submission connections, and either a fixed
 * offered rate (messages per second, spread evenly) or saturation ({@code offeredRate} 0: every
 * sender submits back to back), for {@code duration}.
 */
public record LoadScenario(String name, int messageSize, int senders, double offeredRate, Duration duration) {

    public boolean saturation() {
        return offeredRate <= 0;
    }

    public String describe() {
        String size = messageSize >= 1024 ? messageSize / 1024 + " KiB" : messageSize + " B";
        return name + ": " + size + ", " + senders + " senders, "
                + (saturation() ? "saturation" : String.format(java.util.Locale.ROOT, "%.0f msg/s offered", offeredRate))
                + ", " + duration.toSeconds() + " s";
    }
}
