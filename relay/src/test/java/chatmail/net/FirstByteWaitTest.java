package chatmail.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The wait for a client's first byte, without a thread per connection (SEC-3's floods). */
class FirstByteWaitTest {

    FirstByteWait wait;
    ServerSocketChannel server;

    /** What became of one waiting connection: which callback ran, and whether the channel was blocking then. */
    static class Outcome implements FirstByteWait.Client {
        final CompletableFuture<String> result = new CompletableFuture<>();
        SocketChannel channel;

        @Override
        public void readable() {
            result.complete("readable, blocking " + channel.isBlocking());
        }

        @Override
        public void ended() {
            result.complete("ended, open " + channel.isOpen());
        }
    }

    @BeforeEach
    void start() throws IOException {
        wait = new FirstByteWait("test-first-byte-wait");
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void stop() throws IOException {
        wait.close();
        server.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.socket().getLocalPort());
        s.setSoTimeout(20_000);
        return s;
    }

    private FirstByteWait.Waiting await(Outcome o, long nanosFromNow) throws IOException {
        o.channel = server.accept();
        o.channel.configureBlocking(false);
        return wait.await(o.channel, System.nanoTime() + nanosFromNow, o);
    }

    @Test
    void aSilentConnectionIsClosedAtItsDeadlineWithoutAThreadHavingRun() throws Exception {
        try (Socket client = connect()) {
            Outcome o = new Outcome();
            long start = System.nanoTime();
            await(o, 300_000_000L);
            assertThat(o.result.get(20, TimeUnit.SECONDS)).isEqualTo("ended, open false");
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(300_000_000L);
            assertThat(client.getInputStream().read()).as("closed, nothing said").isEqualTo(-1);
        }
    }

    @Test
    void aFirstByteAfterAWhileMakesItReadableInBlockingModeWithTheByteUnread() throws Exception {
        try (Socket client = connect()) {
            Outcome o = new Outcome();
            await(o, TimeUnit.HOURS.toNanos(1));
            // Another connection comes and goes meanwhile: the first one's wait is not disturbed.
            try (Socket other = connect()) {
                Outcome gone = new Outcome();
                await(gone, 1_000_000L);
                assertThat(gone.result.get(20, TimeUnit.SECONDS)).isEqualTo("ended, open false");
            }
            assertThat(o.result).isNotDone();
            client.getOutputStream().write('x');
            assertThat(o.result.get(20, TimeUnit.SECONDS)).isEqualTo("readable, blocking true");
            ByteBuffer b = ByteBuffer.allocate(1);
            assertThat(o.channel.read(b)).isEqualTo(1);
            assertThat(b.get(0)).isEqualTo((byte) 'x');
            o.channel.close();
        }
    }

    @Test
    void endingAWaitingConnectionFromAnotherThreadClosesItAtOnce() throws Exception {
        try (Socket client = connect()) {
            Outcome o = new Outcome();
            FirstByteWait.Waiting w = await(o, TimeUnit.HOURS.toNanos(1));
            CompletableFuture.runAsync(w::end).get(20, TimeUnit.SECONDS);
            assertThat(o.result.get(20, TimeUnit.SECONDS)).isEqualTo("ended, open false");
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void aClientThatClosesBeforeSpeakingIsReadableAtItsEndOfStream() throws Exception {
        Outcome o = new Outcome();
        try (Socket client = connect()) {
            await(o, TimeUnit.HOURS.toNanos(1));
        }
        // EOF is the session's to read, as the first read of a thread-per-connection would have.
        assertThat(o.result.get(20, TimeUnit.SECONDS)).isEqualTo("readable, blocking true");
        assertThat(o.channel.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        o.channel.close();
    }

    /**
     * A connection that arrives while the wait's thread is between taking in arrivals and
     * handing readable connections their threads must not miss its wake-up: the hand-over
     * deregisters the readable ones with a selection, and a selection swallows a pending
     * wake-up. Here the arrival is made at that point from the selector's own thread (an ended
     * connection's callback), since the accept thread's timing cannot be steered; such a lost
     * arrival waited until some other connection came, an ACME server's validation 15 s.
     */
    @Test
    void aConnectionArrivingWhileOthersAreHandedOverIsNotLost() throws Exception {
        try (Socket blockerClient = connect(); Socket readableClient = connect(); Socket endedClient = connect();
                Socket lateClient = connect()) {
            CountDownLatch blocking = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Outcome blocker = new Outcome() {
                @Override
                public void readable() {
                    blocking.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    super.readable();
                }
            };
            Outcome readable = new Outcome();
            Outcome late = new Outcome();
            Outcome ended = new Outcome() {
                @Override
                public void ended() {
                    wait.await(late.channel, System.nanoTime() + TimeUnit.HOURS.toNanos(1), late);
                    super.ended();
                }
            };
            await(blocker, TimeUnit.HOURS.toNanos(1));
            await(readable, TimeUnit.HOURS.toNanos(1));
            FirstByteWait.Waiting toEnd = await(ended, TimeUnit.HOURS.toNanos(1));
            late.channel = server.accept();
            late.channel.configureBlocking(false);

            // Hold the wait's thread in a hand-over while the next round's events pile up.
            blockerClient.getOutputStream().write('x');
            blocking.await();
            readableClient.getOutputStream().write('x');
            lateClient.getOutputStream().write('x');
            toEnd.end();
            release.countDown();

            assertThat(blocker.result.get(20, TimeUnit.SECONDS)).isEqualTo("readable, blocking true");
            assertThat(ended.result.get(20, TimeUnit.SECONDS)).isEqualTo("ended, open false");
            assertThat(readable.result.get(20, TimeUnit.SECONDS)).isEqualTo("readable, blocking true");
            assertThat(late.result.get(20, TimeUnit.SECONDS)).isEqualTo("readable, blocking true");
            for (Outcome o : new Outcome[] {blocker, readable, late}) {
                o.channel.close();
            }
        }
    }
}
