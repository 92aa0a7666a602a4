package io.tocsin.notifier.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.tocsin.events.AlertAttached;
import io.tocsin.events.AlertsAttached;
import io.tocsin.events.IncidentAcknowledged;
import io.tocsin.events.IncidentEscalated;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.IncidentSnoozed;
import io.tocsin.events.NotificationRequested;
import io.tocsin.events.NotificationTarget;
import io.tocsin.events.NotificationTarget.Channel;
import io.tocsin.events.Priority;
import io.tocsin.events.RunbookEvent.Kind;
import io.tocsin.events.RunbookProgressed;
import io.tocsin.outbox.Rounds;

/** Backoff, breakers, pacing, Retry-After and the delivery plan: the notifier's rules without any I/O. */
class DeliveryRulesTest {

    private static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");
    private static final UUID INCIDENT = UUID.randomUUID();
    private static final NotificationTarget SLACK = new NotificationTarget(Channel.SLACK, "#ops");
    private static final NotificationTarget PD = new NotificationTarget(Channel.PAGERDUTY, "R1");
    private static final NotificationTarget MAIL = new NotificationTarget(Channel.EMAIL, "a@example.com");
    private static final NotificationTarget HOOK = new NotificationTarget(Channel.WEBHOOK, "https://h.example");

    @Test
    void backoffDoublesWithJitterUpToTheCap() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));
        assertThat(backoff.after(1, 0.0)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.after(1, 0.999)).isBetween(Duration.ofMillis(990), Duration.ofSeconds(1));
        assertThat(backoff.after(4, 0.0)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.after(40, 0.999)).isBetween(Duration.ofSeconds(299), Duration.ofMinutes(5));
    }

    @Test
    void aBreakerOpensAfterTheThresholdAndLetsOneTrialThroughLater() {
        CircuitBreakers breakers = new CircuitBreakers(3, Duration.ofSeconds(30));
        assertThat(breakers.failed("hook", T0)).isFalse();
        assertThat(breakers.failed("hook", T0)).isFalse();
        assertThat(breakers.heldUntil("hook", T0)).isNull();
        assertThat(breakers.failed("hook", T0)).isTrue();
        assertThat(breakers.heldUntil("hook", T0.plusSeconds(10))).isEqualTo(T0.plusSeconds(30));
        assertThat(breakers.heldUntil("other", T0.plusSeconds(10))).isNull();
        // After the open period one trial goes; the next waits for it.
        assertThat(breakers.heldUntil("hook", T0.plusSeconds(31))).isNull();
        assertThat(breakers.heldUntil("hook", T0.plusSeconds(31))).isEqualTo(T0.plusSeconds(61));
        breakers.succeeded("hook");
        assertThat(breakers.heldUntil("hook", T0.plusSeconds(32))).isNull();
    }

    @Test
    void aSlotDecidedAtTheRoundsInstantIsReservedFromWhenTheCallGoes() {
        ChannelPacer pacer = new ChannelPacer(Duration.ofSeconds(1));
        // Decided at the round's instant, sent 700 ms later (a slow claim before it): the next call waits a whole
        // interval from the send, not from the decision.
        assertThat(pacer.acquire("#ops", T0, T0.plusMillis(700))).isNull();
        assertThat(pacer.acquire("#ops", T0.plusSeconds(1), T0.plusSeconds(1))).isEqualTo(T0.plusMillis(1700));
        assertThat(pacer.acquire("#ops", T0.plusMillis(1700), T0.plusMillis(1800))).isNull();
    }

    @Test
    void aSlackChannelGetsOneMessagePerIntervalAndHonoursRetryAfter() {
        ChannelPacer pacer = new ChannelPacer(Duration.ofSeconds(1));
        assertThat(pacer.acquire("#ops", T0)).isNull();
        assertThat(pacer.acquire("#ops", T0.plusMillis(400))).isEqualTo(T0.plusSeconds(1));
        assertThat(pacer.acquire("#dev", T0.plusMillis(400))).isNull();
        pacer.learn("#ops", "C1");
        assertThat(pacer.acquire("C1", T0.plusMillis(500))).isEqualTo(T0.plusSeconds(1));
        assertThat(pacer.acquire("#ops", T0.plusSeconds(1))).isNull();
        pacer.holdUntil("C1", T0.plusSeconds(30));
        assertThat(pacer.acquire("#ops", T0.plusSeconds(10))).isEqualTo(T0.plusSeconds(30));
    }

    @Test
    void aWakeUpTimerNeverFiresBeforeThePacedSlot() {
        // 423.9 ms to go: a 423 ms timer would find the delivery not yet due and leave it for the next tick.
        assertThat(Rounds.timerMillis(T0, T0.plusNanos(423_900_000))).isEqualTo(424);
        assertThat(Rounds.timerMillis(T0, T0.plusMillis(424))).isEqualTo(424);
        assertThat(Rounds.timerMillis(T0, T0.plusNanos(1))).isEqualTo(1);
        assertThat(Rounds.timerMillis(T0, T0)).isEqualTo(1);
        assertThat(Rounds.timerMillis(T0, T0.minusSeconds(5))).isEqualTo(1);
        assertThat(Rounds.timerMillis(T0, T0.minusNanos(1))).isEqualTo(1);
        // A Retry-After centuries away must not overflow (nanoseconds would).
        assertThat(Rounds.timerMillis(T0, T0.plus(Duration.ofDays(400 * 365)))).isEqualTo(400L * 365 * 86_400_000);
    }

    @Test
    void retryAfterIsSecondsOrADate() {
        assertThat(RetryAfter.parse("7", T0, Duration.ZERO)).isEqualTo(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse("Sun, 22 Nov 2026 03:01:00 GMT", T0, Duration.ZERO))
                .isEqualTo(Duration.ofMinutes(1));
        assertThat(RetryAfter.parse("soon", T0, Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse(null, T0, Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aPageSubscribesItsTargetAndARepeatPageRepliesInTheThread() {
        DeliveryPlan plan = new DeliveryPlan(ThreadReplies.NORMAL);
        assertThat(plan.steps(page(SLACK), List.of())).containsExactly(
                new DeliveryPlan.Step(SLACK, DeliveryAction.SLACK_POST, true));
        assertThat(plan.steps(page(SLACK), List.of(SLACK))).containsExactly(
                new DeliveryPlan.Step(SLACK, DeliveryAction.SLACK_REPLY, false));
        assertThat(plan.steps(page(PD), List.of(PD))).containsExactly(
                new DeliveryPlan.Step(PD, DeliveryAction.PAGERDUTY_TRIGGER, false));
        assertThat(plan.steps(page(new NotificationTarget(Channel.UNKNOWN, "x")), List.of()))
                .extracting(DeliveryPlan.Step::action).containsExactly(DeliveryAction.UNSUPPORTED);
    }

    @Test
    void laterEventsReachEachSubscriberTheWayItsChannelExpects() {
        DeliveryPlan plan = new DeliveryPlan(ThreadReplies.NORMAL);
        List<NotificationTarget> all = List.of(SLACK, PD, MAIL, HOOK);
        assertThat(plan.steps(new IncidentAcknowledged(UUID.randomUUID(), INCIDENT, T0, "slack:U1"), all))
                .extracting(DeliveryPlan.Step::action).containsExactly(DeliveryAction.SLACK_REPLY,
                        DeliveryAction.PAGERDUTY_ACKNOWLEDGE, DeliveryAction.WEBHOOK_POST);
        assertThat(plan.steps(new IncidentResolved(UUID.randomUUID(), INCIDENT, T0, "tocsin", null), all))
                .extracting(DeliveryPlan.Step::action).containsExactly(DeliveryAction.SLACK_REPLY,
                        DeliveryAction.PAGERDUTY_RESOLVE, DeliveryAction.EMAIL_SEND, DeliveryAction.WEBHOOK_POST);
        // A snooze holds the incident acknowledged in escalation: PagerDuty must stop paging as well.
        assertThat(plan.steps(new IncidentSnoozed(UUID.randomUUID(), INCIDENT, T0, "slack:U1", T0.plusSeconds(3600)),
                List.of(PD))).extracting(DeliveryPlan.Step::action).containsExactly(DeliveryAction.PAGERDUTY_ACKNOWLEDGE);
        AlertAttached attached = new AlertAttached(UUID.randomUUID(), INCIDENT, T0, "fp", Map.of(), Map.of(), T0,
                null, Priority.P2);
        assertThat(plan.steps(attached, all)).isEmpty();
        assertThat(new DeliveryPlan(ThreadReplies.VERBOSE).steps(attached, all))
                .extracting(DeliveryPlan.Step::action).containsExactly(DeliveryAction.SLACK_REPLY);

        // Alerts attached together: as one alert, one reply at verbose naming the first five.
        List<AlertAttached> seven = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            seven.add(new AlertAttached(UUID.randomUUID(), INCIDENT, T0, "fp" + i, Map.of("pod", "web-" + i),
                    Map.of("summary", "pod down"), T0, null, Priority.P2));
        }
        AlertsAttached together = AlertsAttached.of(UUID.randomUUID(), INCIDENT, T0, seven);
        assertThat(plan.steps(together, all)).isEmpty();
        assertThat(new DeliveryPlan(ThreadReplies.VERBOSE).steps(together, all))
                .extracting(DeliveryPlan.Step::action).containsExactly(DeliveryAction.SLACK_REPLY);
        assertThat(io.tocsin.notifier.channel.slack.SlackMessages.reply(together, ""))
                .contains("7 alerts:", "pod=web-0", "pod=web-4", "and 2 more").doesNotContain("web-5");
    }

    @Test
    void threadVerbosityDecidesWhichEventsGetAReply() {
        IncidentEscalated byTimer = new IncidentEscalated(UUID.randomUUID(), INCIDENT, T0, "p", 1, 0, "tocsin", null);
        IncidentEscalated byPerson = new IncidentEscalated(UUID.randomUUID(), INCIDENT, T0, "p", 1, 0, "slack:U1",
                "need help");
        IncidentAcknowledged ack = new IncidentAcknowledged(UUID.randomUUID(), INCIDENT, T0, "slack:U1");
        assertThat(ThreadReplies.QUIET.replyTo(ack)).isFalse();
        assertThat(ThreadReplies.NORMAL.replyTo(ack)).isTrue();
        assertThat(ThreadReplies.NORMAL.replyTo(byTimer)).isFalse();
        assertThat(ThreadReplies.NORMAL.replyTo(byPerson)).isTrue();
        assertThat(ThreadReplies.VERBOSE.replyTo(byTimer)).isTrue();
        assertThat(ThreadReplies.parse(" Quiet ")).isEqualTo(ThreadReplies.QUIET);
    }

    @Test
    void runbookProgressRepliesInSlackByVerbosityGoesToWebhooksAndNeverToPagerDutyOrEmail() {
        List<NotificationTarget> all = List.of(SLACK, PD, MAIL, HOOK);
        assertThat(new DeliveryPlan(ThreadReplies.NORMAL).steps(runbook(Kind.STEP_FAILED), all))
                .extracting(DeliveryPlan.Step::action)
                .containsExactly(DeliveryAction.SLACK_REPLY, DeliveryAction.WEBHOOK_POST);
        assertThat(new DeliveryPlan(ThreadReplies.NORMAL).steps(runbook(Kind.STEP_STARTED), all))
                .extracting(DeliveryPlan.Step::action).containsExactly(DeliveryAction.WEBHOOK_POST);

        // A request is posted at every level, so what became of it is too: whoever pressed sees the outcome.
        List<Kind> quiet = List.of(Kind.APPROVAL_REQUESTED, Kind.APPROVED, Kind.DENIED, Kind.APPROVAL_TIMED_OUT,
                Kind.RUN_FAILED);
        List<Kind> normal = List.of(Kind.APPROVAL_REQUESTED, Kind.RUN_FAILED, Kind.RUN_STARTED, Kind.RUN_SUCCEEDED,
                Kind.RUN_CANCELLED, Kind.APPROVED, Kind.DENIED, Kind.APPROVAL_TIMED_OUT, Kind.STEP_FAILED);
        for (Kind kind : Kind.values()) {
            RunbookProgressed event = runbook(kind);
            assertThat(ThreadReplies.QUIET.replyTo(event)).as("quiet, %s", kind).isEqualTo(quiet.contains(kind));
            assertThat(ThreadReplies.NORMAL.replyTo(event)).as("normal, %s", kind).isEqualTo(normal.contains(kind));
            assertThat(ThreadReplies.VERBOSE.replyTo(event)).as("verbose, %s", kind).isTrue();
        }
    }

    @Test
    void aFailedApprovalStepRepliesAtEveryLevelAndOtherFailedStepsNotWhenQuiet() {
        // The run was cancelled or timed out while it asked: the request's thread says so even when quiet.
        RunbookProgressed approvalFailed = new RunbookProgressed(UUID.randomUUID(), INCIDENT, T0, UUID.randomUUID(),
                "fail-over", Kind.STEP_FAILED, "confirm", 2, "approval", "runbook:fail-over",
                "the run was cancelled while asking", false, null);
        for (ThreadReplies level : ThreadReplies.values()) {
            assertThat(level.replyTo(approvalFailed)).as("%s", level).isTrue();
        }
        assertThat(new DeliveryPlan(ThreadReplies.QUIET).steps(approvalFailed, List.of(SLACK, PD, MAIL, HOOK)))
                .extracting(DeliveryPlan.Step::action)
                .containsExactly(DeliveryAction.SLACK_REPLY, DeliveryAction.WEBHOOK_POST);
        assertThat(new DeliveryPlan(ThreadReplies.QUIET).steps(runbook(Kind.APPROVED), List.of(SLACK)))
                .extracting(DeliveryPlan.Step::action).containsExactly(DeliveryAction.SLACK_REPLY);
        assertThat(ThreadReplies.QUIET.replyTo(runbook(Kind.STEP_FAILED))).as("an http step").isFalse();
    }

    private static RunbookProgressed runbook(Kind kind) {
        return new RunbookProgressed(UUID.randomUUID(), INCIDENT, T0, UUID.randomUUID(), "restart-checkout", kind,
                "restart", 1, "http", "runbook:restart-checkout", "something", false, null);
    }

    private static NotificationRequested page(NotificationTarget target) {
        return new NotificationRequested(UUID.randomUUID(), INCIDENT, T0, target, "default", 0, 0, Priority.P1, "t");
    }
}
