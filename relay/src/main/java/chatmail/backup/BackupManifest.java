package chatmail.backup;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a backup archive: what made it, when, the store's schema version, the
 * counts of its snapshot, and every file with its size and SHA-256, which restore checks.
 */
public record BackupManifest(int formatVersion, String relayVersion, Instant created, String mailDomain,
                             String schemaVersion, Map<String, Long> counts, List<FileEntry> files) {
    public static final String ENTRY = "manifest.json";
    static final String FORMAT = "chatmail-backup";
    static final int FORMAT_VERSION = 1;
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).build())
            .build();

    public BackupManifest {
        counts = Map.copyOf(counts);
        files = List.copyOf(files);
    }

    /** One file of the archive, by its path relative to data_dir. */
    public record FileEntry(String path, long size, String sha256) {}

    public long count(String name) {
        return counts.getOrDefault(name, 0L);
    }

    void write(OutputStream out) throws IOException {
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeStringField("format", FORMAT);
            json.writeNumberField("format_version", formatVersion);
            json.writeStringField("relay_version", relayVersion);
            json.writeStringField("created", created.toString());
            json.writeStringField("mail_domain", mailDomain);
            json.writeStringField("schema_version", schemaVersion);
            json.writeObjectFieldStart("counts");
            for (Map.Entry<String, Long> e : counts.entrySet()) {
                json.writeNumberField(e.getKey(), e.getValue());
            }
            json.writeEndObject();
            json.writeArrayFieldStart("files");
            for (FileEntry f : files) {
                json.writeStartObject();
                json.writeStringField("path", f.path());
                json.writeNumberField("size", f.size());
                json.writeStringField("sha256", f.sha256());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
    }

    static BackupManifest read(InputStream in) throws BackupFormatException {
        try (JsonParser json = JSON.createParser(in)) {
            expect(json.nextToken(), JsonToken.START_OBJECT);
            String format = null;
            Integer version = null;
            String relay = "";
            Instant created = null;
            String domain = "";
            String schema = null;
            Map<String, Long> counts = new LinkedHashMap<>();
            List<FileEntry> files = new ArrayList<>();
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                switch (field) {
                    case "format" -> format = text(json, value);
                    case "format_version" -> {
                        expect(value, JsonToken.VALUE_NUMBER_INT);
                        version = json.getIntValue();
                    }
                    case "relay_version" -> relay = text(json, value);
                    case "created" -> created = Instant.parse(text(json, value));
                    case "mail_domain" -> domain = text(json, value);
                    case "schema_version" -> schema = text(json, value);
                    case "counts" -> {
                        expect(value, JsonToken.START_OBJECT);
                        while (json.nextToken() == JsonToken.FIELD_NAME) {
                            String name = json.currentName();
                            expect(json.nextToken(), JsonToken.VALUE_NUMBER_INT);
                            counts.put(name, json.getLongValue());
                        }
                    }
                    case "files" -> {
                        expect(value, JsonToken.START_ARRAY);
                        while (json.nextToken() == JsonToken.START_OBJECT) {
                            String path = null;
                            Long size = null;
                            String sha = null;
                            while (json.nextToken() == JsonToken.FIELD_NAME) {
                                String name = json.currentName();
                                JsonToken v = json.nextToken();
                                switch (name) {
                                    case "path" -> path = text(json, v);
                                    case "size" -> {
                                        expect(v, JsonToken.VALUE_NUMBER_INT);
                                        size = json.getLongValue();
                                    }
                                    case "sha256" -> sha = text(json, v);
                                    default -> json.skipChildren();
                                }
                            }
                            if (path == null || size == null || sha == null || !sha.matches("[0-9a-f]{64}")) {
                                throw new BackupFormatException("a file entry of the manifest is incomplete");
                            }
                            files.add(new FileEntry(path, size, sha));
                        }
                    }
                    default -> json.skipChildren();
                }
            }
            if (!FORMAT.equals(format) || version == null || schema == null || created == null) {
                throw new BackupFormatException("not a chatmail backup manifest");
            }
            return new BackupManifest(version, relay, created, domain, schema, counts, files);
        } catch (IOException | DateTimeParseException e) {
            throw new BackupFormatException("the manifest is not readable: " + e.getMessage());
        }
    }

    private static String text(JsonParser json, JsonToken value) throws IOException, BackupFormatException {
        expect(value, JsonToken.VALUE_STRING);
        return json.getText();
    }

    private static void expect(JsonToken actual, JsonToken wanted) throws BackupFormatException {
        if (actual != wanted) {
            throw new BackupFormatException("the manifest is malformed near " + actual);
        }
    }
}
