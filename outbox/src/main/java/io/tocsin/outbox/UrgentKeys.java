package io.tocsin.outbox;

/**
 * A service's idea of which outbox rows go first: the rows of the keys it names are published before older rows of
 * every other key, each key's rows still in order. Escalation names the unresolved P0 and P1 incidents, so a new P0's
 * first events overtake a storm's backlog (issue "Storms", ADR 17). A service without such a bean publishes by age.
 */
public interface UrgentKeys {

    /**
     * An HQL query selecting the urgent message keys as strings, such as {@code select cast(i.id as String) from ...}.
     * Run on its own each relay round, its keys then a parameter of the claim: as a subquery of the claim, the planner
     * joined it row by row (785 ms a round with 20,000 rows waiting, measured during bench/new-alert-storm.sh).
     */
    String query();
}
