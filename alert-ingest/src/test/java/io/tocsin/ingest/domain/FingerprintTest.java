package io.tocsin.ingest.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Vectors from shared/WIRE-CONTRACTS.md, which match the payload quoted in GoAlert's Alertmanager integration. */
class FingerprintTest {

    private static final Map<String, String> INSTANCE_DOWN = Map.of(
            "alertname", "InstanceDown", "code", "200", "instance", "127.0.0.1:9090",
            "job", "prometheus", "monitor", "codelab-monitor", "severity", "critical");

    @Test
    void matchesAlertmanagerForKnownLabelSets() {
        assertThat(Fingerprint.of(INSTANCE_DOWN)).isEqualTo("791cec13fcba0368");

        Map<String, String> localhost = new LinkedHashMap<>(INSTANCE_DOWN);
        localhost.put("instance", "localhost:9090");
        assertThat(Fingerprint.of(localhost)).isEqualTo("8df98227bdd81384");
    }

    @Test
    void emptyLabelSetIsTheOffsetBasis() {
        assertThat(Fingerprint.of(Map.of())).isEqualTo("cbf29ce484222325");
    }

    @Test
    void doesNotDependOnTheOrderLabelsArriveIn() {
        Map<String, String> reversed = new LinkedHashMap<>();
        INSTANCE_DOWN.keySet().stream().sorted(java.util.Comparator.reverseOrder())
                .forEach(name -> reversed.put(name, INSTANCE_DOWN.get(name)));

        assertThat(Fingerprint.of(reversed)).isEqualTo("791cec13fcba0368");
    }
}
