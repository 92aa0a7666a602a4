package io.tocsin.escalation.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import jakarta.enterprise.inject.CreationException;

import org.junit.jupiter.api.Test;

import io.tocsin.escalation.domain.policy.PolicyFileException;

class ConsumerFailuresTest {

    @Test
    void aConfigurationFailureIsNeverPoisonHoweverItIsWrapped() {
        PolicyFileException policy = new PolicyFileException(List.of("default-policy.yaml:19: slack: bad"));
        assertThat(ConsumerFailures.isPoison(policy)).isFalse();
        assertThat(ConsumerFailures.isPoison(new CreationException(policy))).isFalse();
        assertThat(ConsumerFailures.isPoison(new IllegalArgumentException("bean", policy))).isFalse();
        assertThat(ConsumerFailures.isPoison(new CreationException(new IllegalArgumentException("TOCSIN_API_TOKENS"))))
                .as("a bean that could not be built is configuration, though its cause is an argument").isFalse();
    }

    @Test
    void aRecordTheCodeCannotHandleIsStillPoison() {
        assertThat(ConsumerFailures.isPoison(new IllegalArgumentException("not an AlertReceived"))).isTrue();
        assertThat(ConsumerFailures.isPoison(new IllegalStateException("a bug"))).isTrue();
        assertThat(ConsumerFailures.isPoison(new java.net.ConnectException("database away"))).isFalse();
    }
}
