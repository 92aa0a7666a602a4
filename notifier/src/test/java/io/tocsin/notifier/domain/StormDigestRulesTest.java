package io.tocsin.notifier.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.tocsin.events.Priority;

class StormDigestRulesTest {

    private final StormDigest digest = new StormDigest(10, Duration.ofMinutes(2));
    private final Instant start = Instant.parse("2026-12-03T03:02:00Z");

    @Test
    void onlyLowPriorityIncidentsPastTheThresholdAreFolded() {
        assertThat(digest.folds(Priority.P3, 9)).as("the tenth still gets its own message").isFalse();
        assertThat(digest.folds(Priority.P3, 10)).isTrue();
        assertThat(digest.folds(Priority.P2, 500)).isTrue();
        assertThat(digest.folds(Priority.P1, 500)).as("P1 always posted on its own").isFalse();
        assertThat(digest.folds(Priority.P0, 500)).isFalse();
        assertThat(new StormDigest(0, Duration.ofMinutes(2)).folds(Priority.P3, 10_000)).as("off").isFalse();
    }

    @Test
    void aStormIsOverAfterAWholeWindowWithoutAFold() {
        assertThat(digest.over(start, start.plusSeconds(119))).isFalse();
        assertThat(digest.over(start, start.plusSeconds(120))).isTrue();
    }

    @Test
    void theDigestCountsByAlertNameBiggestFirstNamesServicesAndSaysWhenItIsOver() {
        List<StormDigest.Member> members = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            members.add(new StormDigest.Member("Disk full on svc-" + i, "DiskFull", "svc-" + (char) ('a' + i % 4),
                    i < 5 ? "resolved" : "open", "https://tocsin.example.com/incidents/" + i));
        }
        for (int i = 0; i < 16; i++) {
            members.add(new StormDigest.Member("Node down", "NodeDown", null, i < 3 ? "acknowledged" : "open", null));
        }
        StormDigest.Text ongoing = digest.render(members, start, null, "#ops");
        assertThat(ongoing.headline()).startsWith(":thunder_cloud_and_rain: Storm in #ops: 37 new incidents since "
                + "03:02 UTC");
        assertThat(ongoing.groups()).containsExactly("21 × DiskFull (svc-a, svc-b, svc-c, …)", "16 × NodeDown");
        assertThat(ongoing.links()).hasSize(StormDigest.LINKS_SHOWN);
        assertThat(ongoing.footer()).isEqualTo("3 acknowledged, 5 resolved, 29 open");
        assertThat(ongoing.fallback()).contains("21 × DiskFull").endsWith("29 open");

        StormDigest.Text over = digest.render(members, start, start.plus(Duration.ofMinutes(7)), "#ops");
        assertThat(over.headline()).isEqualTo(":white_sun_small_cloud: The storm in #ops is over: 37 new incidents "
                + "between 03:02 UTC and 03:09 UTC.");
    }
}
