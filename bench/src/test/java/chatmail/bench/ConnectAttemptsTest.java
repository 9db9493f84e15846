package chatmail.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ConnectAttemptsTest {

    @Test
    void a_connection_still_setting_up_is_named_with_its_step_and_last_failure() throws Exception {
        ConnectAttempts attempts = new ConnectAttempts();
        CountDownLatch inStep = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread t = Thread.ofVirtual().start(() -> {
            attempts.begin(7);
            attempts.attempt(7, 0);
            attempts.failed(7, new SocketException("Too many open files"));
            attempts.attempt(7, 1);
            attempts.step(7, "TLS handshake");
            inStep.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            attempts.end(7);
        });
        inStep.await();
        // The stack is read below: wait until the thread is parked in await, not still returning
        // from countDown (CI once caught it in LockSupport.unpark).
        while (t.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }

        assertThat(attempts.inProgress()).isEqualTo(1);
        assertThat(attempts.stuck(0, 3)).singleElement().asString()
                .startsWith("7 in TLS handshake for ")
                .contains("attempt 2", "last failure: java.net.SocketException: Too many open files", "await");
        assertThat(attempts.stuck(Long.MAX_VALUE, 3)).isEmpty();

        release.countDown();
        t.join();
        assertThat(attempts.inProgress()).isZero();
        assertThat(attempts.stuck(0, 3)).isEmpty();
    }

    @Test
    void an_attempt_past_its_deadline_is_cut_once_even_in_a_read_that_would_never_end() throws Exception {
        ConnectAttempts attempts = new ConnectAttempts();
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CountDownLatch reading = new CountDownLatch(1);
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                attempts.begin(1);
                attempts.attempt(1, 0);
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(silent.getInetAddress(), silent.getLocalPort()));
                    attempts.step(1, "greeting");
                    reading.countDown();
                    s.getInputStream().read();
                    outcome.set(new AssertionError("the read returned"));
                } catch (IOException e) {
                    outcome.set(e);
                } finally {
                    attempts.end(1);
                }
            });
            try (Socket accepted = silent.accept()) {
                reading.await();
                // The thread may not be parked in the read yet: cutting it then still closes the
                // socket, so the read fails either way.
                assertThat(attempts.interruptOverdue(0)).isEqualTo(1);
                assertThat(attempts.interruptOverdue(0)).isZero();
                t.join();
            }
            assertThatThrownBy(() -> {
                throw outcome.get();
            }).isInstanceOf(SocketException.class);
        }
    }
}
