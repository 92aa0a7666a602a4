package io.tocsin.notifier.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.tocsin.notifier.channel.SendResult;
import io.tocsin.notifier.config.NotifierConfig;
import io.tocsin.outbox.Failures;
import io.tocsin.outbox.OutboxRelay;
import io.tocsin.outbox.Rounds;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Sends due deliveries in rounds: each round claims what is due ({@link DeliveryClaims}), sends it concurrently,
 * records each result ({@link DeliveryResults}), and brings stale Slack root messages and storm digests up to date
 * ({@link SlackRootUpdates}, {@link DigestMessages}); the tick also looks for attempts cut off by a crash
 * ({@link CutOffRecovery}).
 */
@ApplicationScoped
public class Dispatcher {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class);
    private static final int MAX_IN_FLIGHT = 64;

    private final DeliveryClaims claims;
    private final DeliveryResults results;
    private final SlackRootUpdates roots;
    private final DigestMessages digests;
    private final CutOffRecovery cutOff;
    private final OutboxRelay relay;
    private final NotifierConfig config;
    private final Clock clock;
    private final Vertx vertx;
    private final Rounds rounds;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The deliveries being sent or recorded now, which the cut-off recovery must leave alone. */
    private final Set<Long> sending = ConcurrentHashMap.newKeySet();

    public Dispatcher(DeliveryClaims claims, DeliveryResults results, SlackRootUpdates roots, DigestMessages digests,
            CutOffRecovery cutOff, OutboxRelay relay, NotifierConfig config, Clock clock, Vertx vertx) {
        this.digests = digests;
        this.claims = claims;
        this.results = results;
        this.roots = roots;
        this.cutOff = cutOff;
        this.relay = relay;
        this.config = config;
        this.clock = clock;
        this.vertx = vertx;
        this.rounds = new Rounds(vertx, "a delivery round", this::round);
    }

    /** Looks for due deliveries and attempts cut off by a crash; new events start a round at once through kick. */
    @Scheduled(every = "${tocsin.notifier.delivery.interval:1s}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> tick() {
        return cutOff.recover(sending).onFailure()
                .invoke(failure -> LOG.warnf("looking for cut-off deliveries failed: %s", failure.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid().invoke(this::kick);
    }

    /** Runs a round now; a kick during a round makes it go round again. */
    public void kick() {
        rounds.kick();
    }

    /**
     * Claims and starts due deliveries, then brings stale Slack root messages up to date. Emits true when the claim
     * held some of a full page back: those have left the head, so the next round, at once, sees the ones behind.
     */
    Uni<Boolean> round() {
        AtomicReference<Instant> earliest = new AtomicReference<>();
        // One instant for the whole round: a rewrite started after a slow claim must not take a Slack channel's slot
        // that came free while the claim ran, ahead of a P0's first message that was waiting for it (measured: P0
        // root posts held 13-25 s behind storm rewrites, bench/new-alert-storm.sh).
        Instant now = clock.instant();
        return claims.claim(MAX_IN_FLIGHT - inFlight.get(), now, earliest)
                .invoke(batch -> batch.claimed().forEach(this::start))
                .call(() -> roots.start(now, earliest))
                // After the claims: a P0's root message takes a paced channel's slot before the digest's rewrite.
                .call(() -> digests.start(now, earliest))
                .invoke(() -> wakeAt(earliest.get()))
                .map(DeliveryClaims.Batch::more);
    }

    /** Sends one claimed delivery and records how it went; never fails. */
    private void start(Claimed claimed) {
        Context context = Rounds.fresh(vertx);
        Uni.createFrom().deferred(() -> {
            inFlight.incrementAndGet();
            sending.add(claimed.id());
            // Deferred: a channel that throws while building its request fails this delivery, not the round.
            return claimed.channel().send(claimed.delivery());
        })
                .onFailure().recoverWithItem(failure -> new SendResult.Failed("could not be sent: " + failure))
                .emitOn(task -> context.runOnContext(ignored -> task.run()))
                // Sent, so recorded whatever it takes: while the database is away the result waits here (given up,
                // the row would be cut off and sent again once the database is back).
                .chain(result -> results.record(claimed, result)
                        .onFailure(Failures::isTransient).retry().withBackOff(Duration.ofMillis(200),
                                Duration.ofSeconds(5))
                        .indefinitely()
                        .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).atMost(10))
                .onTermination().invoke(() -> {
                    inFlight.decrementAndGet();
                    sending.remove(claimed.id());
                })
                .subscribe().with(retryAt -> {
                    relay.kick();
                    // Deliveries that waited behind this one to the same target can go now.
                    kick();
                    if (retryAt != null) {
                        wakeAt(retryAt);
                    }
                }, failure -> LOG.warnf("recording delivery %d failed; it will be looked at again after %s: %s",
                        claimed.id(), config.delivery().inFlightTimeout(), failure.getMessage()));
    }

    private void wakeAt(Instant when) {
        if (when == null) {
            return;
        }
        long millis = Rounds.timerMillis(clock.instant(), when);
        if (millis < config.delivery().interval().toMillis()) {
            vertx.setTimer(millis, id -> kick());
        }
    }
}
