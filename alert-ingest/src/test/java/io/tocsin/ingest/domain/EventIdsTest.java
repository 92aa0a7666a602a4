package io.tocsin.ingest.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void idsAreVersion7WithTheTimeInFront() {
        UUID id = EventIds.at(0x0123456789ABL);

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(0x0123456789ABL);
    }

    @Test
    void laterIdsSortAfterEarlierOnesAndNoneRepeat() {
        assertThat(EventIds.at(2_000).compareTo(EventIds.at(1_000))).isPositive();
        Set<UUID> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(EventIds.next());
        }
        assertThat(ids).hasSize(10_000);
    }
}
