package io.tocsin.ingest.domain;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Event ids as version 7 UUIDs: time-ordered (so ids sort roughly by creation), random in the rest. They identify
 * records, they are not secrets, so a fast non-cryptographic random source is enough; {@link UUID#randomUUID()} takes
 * a lock on a shared SecureRandom on every call.
 */
public final class EventIds {

    private EventIds() {
    }

    /** A new version 7 UUID. */
    public static UUID next() {
        return at(System.currentTimeMillis());
    }

    static UUID at(long epochMillis) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long most = (epochMillis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(most, least);
    }
}
