package io.tocsin.ingest.domain;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Computes an alert's fingerprint exactly as Alertmanager does ({@code prometheus/common} {@code labelSetToFingerprint}):
 * FNV-1a 64 over the label names in sorted order, each name and value followed by a 0xFF byte, printed as 16 hex digits.
 * Annotations are not part of it.
 */
public final class Fingerprint {

    private static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;
    private static final byte SEPARATOR = (byte) 0xFF;
    /** Go sorts strings by their UTF-8 bytes, which differs from Java's UTF-16 order outside the BMP. */
    private static final Comparator<String> GO_ORDER = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private Fingerprint() {
    }

    /** The fingerprint of a label set, for example {@code 791cec13fcba0368}. */
    public static String of(Map<String, String> labels) {
        long hash = OFFSET_BASIS;
        TreeMap<String, String> sorted = new TreeMap<>(GO_ORDER);
        sorted.putAll(labels);
        for (Map.Entry<String, String> label : sorted.entrySet()) {
            hash = add(hash, label.getKey().getBytes(StandardCharsets.UTF_8));
            hash = add(hash, SEPARATOR);
            hash = add(hash, label.getValue().getBytes(StandardCharsets.UTF_8));
            hash = add(hash, SEPARATOR);
        }
        return String.format("%016x", hash);
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
