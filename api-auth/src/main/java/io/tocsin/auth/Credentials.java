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
     * @throws IllegalArgumentException when the value is empty or malformed
     */
    public static Credentials parse(String value, String setting) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("no tokens configured: set " + setting
                    + " to name:token[,name:token...] (tokens of at least " + MIN_TOKEN_LENGTH + " characters)");
        }
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        String[] parts = value.split(",");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].trim();
            int colon = part.indexOf(':');
            String where = setting + " entry " + (i + 1);
            if (colon < 0) {
                throw new IllegalArgumentException(where + " is not of the form name:token");
            }
            String name = part.substring(0, colon);
            String token = part.substring(colon + 1);
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(where + ": the name must be 1-64 letters, digits, '_', '.' or '-'");
            }
            if (token.length() < MIN_TOKEN_LENGTH) {
                throw new IllegalArgumentException(where + " (" + name + "): the token is shorter than "
                        + MIN_TOKEN_LENGTH + " characters");
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException(where + ": the name " + name + " is used twice");
            }
            entries.add(new Entry(name, digest(token)));
        }
        return new Credentials(List.copyOf(entries));
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
