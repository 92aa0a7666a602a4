package io.tocsin.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The named tokens that may call a service's API (alert-ingest: {@code TOCSIN_INGEST_TOKENS}; escalation:
 * {@code TOCSIN_API_TOKENS}). Tokens are kept only as SHA-256 digests and compared in constant time against
 * every configured token, so neither timing nor a heap dump gives them away; they are never logged.
 */
public final class Credentials {

    /** Shortest token accepted: 16 characters. {@code openssl rand -hex 32} makes a good one. */
    public static final int MIN_TOKEN_LENGTH = 16;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final List<Entry> entries;

    private Credentials(List<Entry> entries) {
        this.entries = entries;
    }

    /** Parses the value of {@code TOCSIN_INGEST_TOKENS}. */
    public static Credentials parse(String value) {
        return parse(value, "TOCSIN_INGEST_TOKENS");
    }

    /**
     * Parses {@code name:token[,name:token...]}. Errors name the setting and the entry by position and name, never the
     * token.
     *
     * @param setting the environment variable the value came from, for messages
     * @throws IllegalArgumentException when the value is empty or malformed, with the first of its {@link #problems}
     */
    public static Credentials parse(String value, String setting) {
        List<String> problems = problems(value, setting);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.get(0));
        }
        List<Entry> entries = new ArrayList<>();
        for (String part : value.split(",")) {
            String entry = part.trim();
            int colon = entry.indexOf(':');
            entries.add(new Entry(entry.substring(0, colon), digest(entry.substring(colon + 1))));
        }
        return new Credentials(List.copyOf(entries));
    }

    /**
     * Every problem of a {@code name:token[,name:token...]} value, one line per entry at fault, for a service's
     * start-up check: {@code TOCSIN_API_TOKENS: entry 2 (ops): the token is shorter than 16 characters}. None
     * quotes a token.
     */
    public static List<String> problems(String value, String setting) {
        List<String> problems = new ArrayList<>();
        if (value == null || value.isBlank()) {
            problems.add(setting + ": no tokens configured: set it to name:token[,name:token...] (tokens of at least "
                    + MIN_TOKEN_LENGTH + " characters)");
            return problems;
        }
        Set<String> names = new HashSet<>();
        java.util.Map<String, String> tokens = new java.util.HashMap<>();
        String[] parts = value.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].trim();
            String where = setting + ": entry " + (i + 1);
            int colon = part.indexOf(':');
            if (part.isEmpty()) {
                problems.add(where + " is empty");
                continue;
            }
            if (colon < 0) {
                problems.add(where + " is not of the form name:token");
                continue;
            }
            String name = part.substring(0, colon);
            String token = part.substring(colon + 1);
            if (!NAME.matcher(name).matches()) {
                problems.add(where + ": the name must be 1-64 letters, digits, '_', '.' or '-'");
                continue;
            }
            where = where + " (" + name + ")";
            if (token.length() < MIN_TOKEN_LENGTH) {
                problems.add(where + ": the token is shorter than " + MIN_TOKEN_LENGTH + " characters");
            }
            if (!names.add(name)) {
                problems.add(where + ": the name is used twice");
            }
            String other = tokens.putIfAbsent(token, name);
            if (other != null && !other.equals(name)) {
                problems.add(where + ": the same token as " + other
                        + "; each caller needs a token of its own, or it is recorded under the wrong name");
            }
        }
        return problems;
    }

    /**
     * The source name for an {@code Authorization} header value (Bearer, or Basic with the name as user), or empty when it
     * matches no credential.
     */
    public Optional<String> authenticate(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        int space = authorization.indexOf(' ');
        if (space < 0) {
            return Optional.empty();
        }
        String scheme = authorization.substring(0, space);
        String value = authorization.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Bearer")) {
            return match(null, value);
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            return colon < 0 ? Optional.empty() : match(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
        return Optional.empty();
    }

    /** Compares against every entry, whatever matches first, so the time taken does not depend on which matched. */
    private Optional<String> match(String user, String token) {
        byte[] presented = digest(token);
        String found = null;
        for (Entry entry : entries) {
            boolean tokenMatches = MessageDigest.isEqual(entry.digest(), presented);
            boolean userMatches = user == null || user.equals(entry.name());
            if (tokenMatches && userMatches && found == null) {
                found = entry.name();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The configured names, for logs and docs. */
    public List<String> names() {
        return entries.stream().map(Entry::name).toList();
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private record Entry(String name, byte[] digest) {
    }
}
