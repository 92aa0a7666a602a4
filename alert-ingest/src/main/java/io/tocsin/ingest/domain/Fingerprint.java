package io.tocsin.ingest.domain;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Computes an alert's fingerprint exactly as Alertmanager does ({@code prometheus/common} {@code labelSetToFingerprint}):
 * FNV-1a 64 over the label names in sorted order, each name and value followed by a 0xFF byte, printed as 16 hex digits.
 * Annotations are not part of it.
 */
public final class Fingerprint {

    private static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;
    private static final byte SEPARATOR = (byte) 0xFF;

    private Fingerprint() {
    }

    /** The fingerprint of a label set, for example {@code 791cec13fcba0368}. */
    public static String of(Map<String, String> labels) {
        byte[][][] pairs = new byte[labels.size()][][];
        int i = 0;
        for (Map.Entry<String, String> label : labels.entrySet()) {
            pairs[i++] = new byte[][] { label.getKey().getBytes(StandardCharsets.UTF_8),
                    label.getValue().getBytes(StandardCharsets.UTF_8) };
        }
        // Go sorts label names by their UTF-8 bytes, which differs from Java's UTF-16 order outside the BMP.
        Arrays.sort(pairs, (a, b) -> Arrays.compareUnsigned(a[0], b[0]));
        long hash = OFFSET_BASIS;
        for (byte[][] pair : pairs) {
            hash = add(hash, pair[0]);
            hash = add(hash, SEPARATOR);
            hash = add(hash, pair[1]);
            hash = add(hash, SEPARATOR);
        }
        String hex = Long.toHexString(hash);
        return "0".repeat(16 - hex.length()) + hex;
    }

    private static long add(long hash, byte[] bytes) {
        for (byte b : bytes) {
            hash = add(hash, b);
        }
        return hash;
    }

    private static long add(long hash, byte b) {
        return (hash ^ (b & 0xFF)) * PRIME;
    }
}
