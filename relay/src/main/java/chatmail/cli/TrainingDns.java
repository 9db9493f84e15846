package chatmail.cli;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.Arrays;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * The AOT training relay's resolver ({@code dns_resolver}): a DNS server on a loopback port that
 * knows two names. {@link #PEER}'s MX is the relay's own name, and that name's A record the
 * relay's loopback address, so the training's message to another relay takes the way a message
 * to a real one takes (dnsjava's I/O, the attempt, the /mxdeliv client) and ends at the relay
 * itself; no question leaves the machine. Every other name does not exist.
 */
final class TrainingDns implements AutoCloseable {
    /** The other relay's domain in the training; it exists only here. */
    static final String PEER = "training-peer.test";

    private final DatagramSocket socket;
    private final String host;
    private final InetAddress address;

    /** Answers on a free UDP port of {@code address}: {@code host} (the relay) is at {@code address}. */
    TrainingDns(String host, InetAddress address) throws IOException {
        this.host = host.toLowerCase();
        this.address = address;
        this.socket = new DatagramSocket(0, address);
        Thread.ofPlatform().daemon(true).name("training-dns").start(this::serve);
    }

    /** The {@code dns_resolver} setting that asks this server. */
    String resolverSetting() {
        return address.getHostAddress() + ":" + socket.getLocalPort();
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                byte[] wire = answer(new Message(Arrays.copyOf(packet.getData(), packet.getLength()))).toWire();
                socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
            } catch (WireParseException e) {
                // not a DNS question: no answer, as a real server would give none
            } catch (IOException e) {
                return; // closed at the end of the training
            }
        }
    }

    private Message answer(Message question) throws IOException {
        Record asked = question.getQuestion();
        Message response = new Message(question.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        response.addRecord(asked, Section.QUESTION);
        String name = asked.getName().toString(true).toLowerCase();
        if (name.equals(PEER) && asked.getType() == Type.MX) {
            response.addRecord(new MXRecord(asked.getName(), DClass.IN, 300, 10, Name.fromString(host + ".")), Section.ANSWER);
        } else if (name.equals(host) && asked.getType() == Type.A) {
            response.addRecord(new ARecord(asked.getName(), DClass.IN, 300, address), Section.ANSWER);
        } else if (!name.equals(PEER) && !name.equals(host)) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        return response;
    }

    @Override
    public void close() {
        socket.close();
    }
}
