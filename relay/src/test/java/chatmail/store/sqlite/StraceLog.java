package chatmail.store.sqlite;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the output of {@code strace -f -o FILE} for file-related calls into completed calls in
 * order, joining "unfinished"/"resumed" halves, and names the file each fd-taking call touched
 * (from the openat that returned that fd).
 */
final class StraceLog {
    private static final Pattern LINE = Pattern.compile("^(?:\\[pid\\s+)?(\\d+)\\]?\\s+(.*)$");
    private static final Pattern CALL = Pattern.compile("^(\\w+)\\((.*)$");
    private static final Pattern RESUMED = Pattern.compile("^<\\.\\.\\. (\\w+) resumed>(.*)$");
    private static final Pattern RESULT = Pattern.compile("\\)\\s+=\\s+(-?\\d+)(?:\\s.*)?$");
    private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern FIRST_INT = Pattern.compile("^\\s*(\\d+)");

    /**
     * One completed system call. start and end are line positions of its beginning and its
     * completion; path is the file it named or, for calls on an fd, the file the fd was
     * opened as; target is the new name of a rename; thread is the id of the thread that made
     * the call (strace's pid).
     */
    record Call(long thread, String name, int start, int end, long result, String path, String target) {
        boolean succeeded() {
            return result >= 0;
        }
    }

    private StraceLog() {}

    static List<Call> parse(List<String> lines) {
        Map<String, Pending> pending = new HashMap<>();
        Map<Long, String> fdPaths = new HashMap<>();
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher line = LINE.matcher(lines.get(i));
            if (!line.matches()) {
                continue;
            }
            String pid = line.group(1);
            String rest = line.group(2);
            Matcher resumed = RESUMED.matcher(rest);
            if (resumed.matches()) {
                Pending start = pending.remove(pid);
                if (start != null && start.name.equals(resumed.group(1))) {
                    complete(pid, start.name, start.line, i, start.args + resumed.group(2), start.fdPath, fdPaths, calls);
                }
                continue;
            }
            Matcher call = CALL.matcher(rest);
            if (!call.matches()) {
                continue;
            }
            String name = call.group(1);
            String args = call.group(2);
            // An fd is resolved when the call starts: it cannot be reused while still open.
            String fdPath = fdArgument(args).map(fdPaths::get).orElse(null);
            if (args.endsWith("<unfinished ...>")) {
                pending.put(pid, new Pending(name, i, args.substring(0, args.length() - "<unfinished ...>".length()), fdPath));
            } else {
                complete(pid, name, i, i, args, fdPath, fdPaths, calls);
            }
        }
        return calls;
    }

    private static void complete(String pid, String name, int start, int end, String args, String fdPath,
                                 Map<Long, String> fdPaths, List<Call> calls) {
        Matcher result = RESULT.matcher(args);
        if (!result.find()) {
            return;
        }
        long value = Long.parseLong(result.group(1));
        long thread = Long.parseLong(pid);
        List<String> strings = new ArrayList<>();
        Matcher quoted = QUOTED.matcher(args);
        while (quoted.find()) {
            strings.add(quoted.group(1));
        }
        switch (name) {
            case "openat", "open" -> {
                String path = strings.isEmpty() ? null : strings.getFirst();
                if (value >= 0 && path != null) {
                    fdPaths.put(value, path);
                }
                calls.add(new Call(thread, name, start, end, value, path, null));
            }
            case "rename", "renameat", "renameat2" -> calls.add(new Call(thread, name, start, end, value,
                    strings.isEmpty() ? null : strings.getFirst(), strings.size() > 1 ? strings.get(1) : null));
            default -> calls.add(new Call(thread, name, start, end, value, fdPath, null));
        }
    }

    private static Optional<Long> fdArgument(String args) {
        Matcher fd = FIRST_INT.matcher(args);
        return fd.find() ? Optional.of(Long.parseLong(fd.group(1))) : Optional.empty();
    }

    private record Pending(String name, int line, String args, String fdPath) {}
}
