package io.tocsin.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Runs a service's rounds of background work (publishing outbox rows, sending deliveries, moving runbook runs) one at
 * a time: a kick during a round makes it go round again as soon as it ends, so work committed meanwhile is never left
 * for the next tick; a round that asks to (it filled its batch) goes again at once; a failed round waits for the next
 * kick or tick.
 */
public final class Rounds {

    private static final Logger LOG = Logger.getLogger(Rounds.class);
    // Every loop of the JVM, for the liveness check; weak, so a stopped application's loops go with it.
    private static final Set<Rounds> ALL = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private static final long IDLE = Long.MIN_VALUE;

    private final Vertx vertx;
    private final String what;
    private final Supplier<Uni<Boolean>> round;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile long roundStartedNanos = IDLE;

    /**
     * @param what names the work in logs, such as {@code "publishing outbox rows"}
     * @param round one round; emits true when there is more to do at once
     */
    public Rounds(Vertx vertx, String what, Supplier<Uni<Boolean>> round) {
        this.vertx = vertx;
        this.what = what;
        this.round = round;
        ALL.add(this);
    }

    /**
     * The loops whose round under way started longer than {@code atLeast} ago, by name, with how long: a round that
     * never ends stops its loop for good, as nothing else starts one while it runs.
     */
    public static Map<String, Duration> wedged(Duration atLeast) {
        long now = System.nanoTime();
        Map<String, Duration> wedged = new TreeMap<>();
        synchronized (ALL) {
            for (Rounds rounds : ALL) {
                long started = rounds.roundStartedNanos;
                if (started != IDLE && Duration.ofNanos(now - started).compareTo(atLeast) >= 0) {
                    wedged.merge(rounds.what, Duration.ofNanos(now - started), (a, b) -> a.compareTo(b) >= 0 ? a : b);
                }
            }
        }
        return wedged;
    }

    /** Runs a round now, or once the one under way ends. */
    public void kick() {
        again.set(true);
        if (running.compareAndSet(false, true)) {
            fresh(vertx).runOnContext(ignored -> drain());
        }
    }

    private void drain() {
        again.set(false);
        roundStartedNanos = System.nanoTime();
        // Deferred: a round that throws before it returns its Uni must not leave "running" set for good.
        Uni.createFrom().<Boolean> deferred(round::get).subscribe().with(more -> {
            roundStartedNanos = IDLE;
            running.set(false);
            if (again.get() || Boolean.TRUE.equals(more)) {
                kick();
            }
        }, failure -> {
            roundStartedNanos = IDLE;
            running.set(false);
            LOG.warnf("%s failed, trying again on the next tick: %s", what, failure.getMessage());
        });
    }

    /**
     * The delay of a timer that wakes a round for work due at {@code when}: rounded up to the next whole millisecond,
     * never less than one. Rounded down, the timer fires a fraction of a millisecond early, the round finds nothing
     * due yet, sets no new timer, and the work waits for the next tick: a paced Slack message went out a second late.
     */
    public static long timerMillis(Instant now, Instant when) {
        Duration wait = Duration.between(now, when);
        long millis = wait.toMillis() + (wait.getNano() % 1_000_000 == 0 ? 0 : 1);
        return Math.max(1, millis);
    }

    /**
     * A Vert.x context of its own for work started outside a request: Hibernate Reactive keeps its session in the
     * context, and the caller's may still be in use.
     */
    public static Context fresh(Vertx vertx) {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        return context;
    }
}
