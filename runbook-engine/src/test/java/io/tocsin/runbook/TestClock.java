package io.tocsin.runbook;

import java.time.Clock;
import java.time.Instant;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.tocsin.testsupport.MutableClock;

/** Replaces the system clock in every {@code @QuarkusTest} of the runbook engine with one the tests move forward. */
public class TestClock {

    /** The clock the application under test uses. */
    public static final MutableClock CLOCK = new MutableClock(Instant.now());

    @Produces
    @Singleton
    Clock clock() {
        return CLOCK;
    }
}
