package io.tocsin.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

class RoundsLivenessTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aRoundThatNeverEndsTurnsLivenessDownAndItsEndTurnsItUpAgain() throws Exception {
        CompletableFuture<Boolean> endless = new CompletableFuture<>();
        CompletableFuture<Void> started = new CompletableFuture<>();
        Rounds rounds = new Rounds(vertx, "a test round", () -> {
            started.complete(null);
            return Uni.createFrom().completionStage(endless);
        });
        RoundsLivenessCheck check = new RoundsLivenessCheck(Duration.ofMillis(50));
        assertThat(check.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);

        rounds.kick();
        started.get(5, TimeUnit.SECONDS);
        assertThat(new RoundsLivenessCheck(Duration.ofMinutes(5)).call().getStatus())
                .as("a round under way is not wedged").isEqualTo(HealthCheckResponse.Status.UP);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> check.call().getStatus() == HealthCheckResponse.Status.DOWN);
        HealthCheckResponse wedged = check.call();
        assertThat(wedged.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(wedged.getData()).hasValueSatisfying(data -> assertThat(data).containsKey("a test round"));

        endless.complete(false);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> check.call().getStatus() == HealthCheckResponse.Status.UP);
    }
}
