package chatmail.imap;

import chatmail.imap.protocol.FetchItem;
import chatmail.imap.protocol.ImapCommand;
import chatmail.imap.protocol.ImapDates;
import chatmail.imap.protocol.ImapResponseWriter;
import chatmail.imap.protocol.Section;
import chatmail.store.MailStore.FlagUpdate;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageInfo;
import chatmail.store.StoreException;
import chatmail.store.StoredContent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * FETCH and UID FETCH, with MODSEQ and CHANGEDSINCE (RFC 7162). A message's content is read
 * only when an item needs it; fetching a body without PEEK sets \Seen (one store write for all
 * such messages) and adds FLAGS to the response.
 */
final class FetchCommand {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FetchCommand.class);

    private FetchCommand() {}

    static Result run(ImapSession s, ImapCommand.Fetch fetch) throws IOException {
        SelectedMailbox view = s.selected();
        List<Integer> seqs;
        try {
            seqs = fetch.uid() ? view.byUid(fetch.set()) : view.bySequence(fetch.set());
        } catch (SelectedMailbox.InvalidMessageSet e) {
            return Result.bad("Error in IMAP command FETCH: Invalid messageset");
        }
        boolean wantsModseq = fetch.changedSince() >= 0 || fetch.items().stream().anyMatch(i -> i instanceof FetchItem.ModSeq);
        if (wantsModseq) {
            s.enableCondstore();
        }
        if (seqs.isEmpty()) {
            return Result.ok("Fetch completed.");
        }
        MailboxSnapshot snapshot = s.store().snapshot(view.mailboxId());
        List<Integer> present = new ArrayList<>();
        Map<Long, MessageInfo> infos = new HashMap<>();
        for (int seq : seqs) {
            MessageInfo info = MessageSets.find(snapshot, view.uid(seq));
            // Expunged by another session but not yet reported: nothing to send (RFC 2180 4.1.3).
            if (info != null && (fetch.changedSince() < 0 || info.modseq() > fetch.changedSince())) {
                present.add(seq);
                infos.put(info.uid(), info);
            }
        }
        Set<Long> nowSeen = markSeen(s, view, fetch, infos);
        boolean needsContent = fetch.items().stream().anyMatch(FetchCommand::needsContent);
        for (int seq : present) {
            long uid = view.uid(seq);
            MessageInfo info = infos.get(uid);
            StoredContent content = null;
            if (needsContent) {
                try {
                    content = s.store().open(view.mailboxId(), uid);
                } catch (StoreException e) {
                    continue; // expunged meanwhile
                } catch (java.io.IOException e) {
                    // A body file that cannot be read: answer the rest rather than drop the connection.
                    log.warn("cannot read a message body: {}", e.toString());
                    continue;
                }
            }
            boolean flagsSent;
            try (StoredContent open = content) {
                flagsSent = respond(s, fetch, seq, uid, info, open == null ? null : new FetchedMessage(open), nowSeen);
            }
            if (flagsSent) {
                view.reported(uid, info.modseq());
            }
        }
        return Result.ok("Fetch completed.");
    }

    /** One {@code * n FETCH (...)} response, bodies streamed from the store; whether it carried FLAGS. */
    private static boolean respond(ImapSession s, ImapCommand.Fetch fetch, int seq, long uid, MessageInfo info,
                                   FetchedMessage content, Set<Long> nowSeen) throws IOException {
        ImapResponseWriter out = s.out();
        {
            out.append("* " + seq + " FETCH (");
            boolean first = true;
            boolean flagsSent = false;
            boolean modseqSent = false;
            if (fetch.uid()) {
                out.append("UID " + uid);
                first = false;
            }
            MimePart envelope = null;
            MimePart structure = null;
            for (FetchItem item : fetch.items()) {
                if (item instanceof FetchItem.Uid && fetch.uid()) {
                    continue;
                }
                if (!first) {
                    out.append(" ");
                }
                first = false;
                switch (item) {
                    case FetchItem.Uid u -> out.append("UID " + uid);
                    case FetchItem.Flags f -> {
                        out.append(FetchResponses.flags(info.flags()));
                        flagsSent = true;
                    }
                    case FetchItem.InternalDate d -> out.append("INTERNALDATE " + ImapDates.internalDate(info.internalDate()));
                    case FetchItem.Rfc822Size z -> out.append("RFC822.SIZE " + info.size());
                    case FetchItem.ModSeq m -> {
                        out.append("MODSEQ (" + info.modseq() + ")");
                        modseqSent = true;
                    }
                    case FetchItem.Envelope e -> {
                        envelope = envelope == null ? content.headerStructure() : envelope;
                        out.append("ENVELOPE " + FetchResponses.envelope(envelope));
                    }
                    case FetchItem.BodyStructure b -> {
                        structure = structure == null ? content.structure() : structure;
                        out.append(b.name() + " " + FetchResponses.bodyStructure(structure, b.extensible()));
                    }
                    case FetchItem.Rfc822 r -> {
                        out.append(r.name() + " ");
                        content.writeSection(out, new Section(List.of(), r.kind(), List.of()), false, 0, 0);
                    }
                    case FetchItem.Body b -> {
                        out.append(b.responseName() + " ");
                        content.writeSection(out, b.section(), b.partial(), b.partialOrigin(), b.partialCount());
                    }
                }
            }
            if (nowSeen.contains(uid) && !flagsSent) {
                out.append((first ? "" : " ") + FetchResponses.flags(info.flags()));
                first = false;
                flagsSent = true;
            }
            if (s.condstore() && !modseqSent && (fetch.changedSince() >= 0 || nowSeen.contains(uid))) {
                out.append((first ? "" : " ") + "MODSEQ (" + info.modseq() + ")");
            }
            out.append(")");
            out.endLine();
            return flagsSent;
        }
    }

    /** Sets \Seen where a non-PEEK body item asks for it; returns the UIDs whose flags changed. */
    private static Set<Long> markSeen(ImapSession s, SelectedMailbox view, ImapCommand.Fetch fetch,
                                      Map<Long, MessageInfo> infos) {
        boolean setsSeen = !view.readOnly() && fetch.items().stream().anyMatch(i ->
                (i instanceof FetchItem.Body b && !b.peek()) || (i instanceof FetchItem.Rfc822 r && r.setsSeen()));
        if (!setsSeen) {
            return Set.of();
        }
        List<Long> unseen = infos.values().stream().filter(m -> !m.flags().contains("\\Seen")).map(MessageInfo::uid)
                .sorted().toList();
        if (unseen.isEmpty()) {
            return Set.of();
        }
        Set<Long> changed = new java.util.HashSet<>();
        for (MessageInfo updated : s.store().updateFlags(view.mailboxId(), unseen, FlagUpdate.ADD, Set.of("\\Seen"))) {
            infos.put(updated.uid(), updated);
            changed.add(updated.uid());
        }
        return changed;
    }

    private static boolean needsContent(FetchItem item) {
        return item instanceof FetchItem.Body || item instanceof FetchItem.Rfc822
                || item instanceof FetchItem.Envelope || item instanceof FetchItem.BodyStructure;
    }
}
