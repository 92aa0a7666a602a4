package io.tocsin.notifier.channel.slack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.util.json.GsonFactory;

import io.tocsin.events.NoteAdded;
import io.tocsin.events.RunbookEvent.Kind;
import io.tocsin.events.RunbookProgressed;

/** How runbook progress reads in an incident's Slack thread, and the approval request's buttons. */
class RunbookRepliesRenderingTest {

    private static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");
    private static final UUID INCIDENT = UUID.fromString("22222222-2222-4222-8222-222222222222");
    private static final UUID RUN = UUID.fromString("66666666-6666-4666-8666-666666666666");

    @Test
    void aStepLineNamesTheRunbookAndTheStepAndADryRunSaysSo() {
        assertThat(SlackMessages.reply(event(Kind.STEP_FAILED, "failed: HTTP 503", false), ""))
                .isEqualTo(":x: Runbook *restart-checkout*, step *restart*: failed: HTTP 503");
        assertThat(SlackMessages.reply(event(Kind.STEP_FAILED, "failed: HTTP 503", true), ""))
                .isEqualTo(":x: Runbook *restart-checkout* (dry run), step *restart*: failed: HTTP 503");
        RunbookProgressed approved = new RunbookProgressed(UUID.randomUUID(), INCIDENT, T0, RUN, "restart-checkout",
                Kind.APPROVED, "confirm", 2, "approval", "slack:U024BE7LH", "approved", false, null);
        assertThat(SlackMessages.reply(approved, "")).endsWith("approved (<@U024BE7LH>)");
        assertThat(SlackMessages.reply(approved, "<@U0ONCALL1>")).as("only requests and pages mention")
                .doesNotContain("U0ONCALL1");
        assertThat(SlackMessages.needsNotice(approved)).isFalse();
        assertThat(SlackMessages.replyBlocks(approved, "<@U0ONCALL1>")).isNull();
        assertThat(SlackMessages.replyBlocks(new NoteAdded(UUID.randomUUID(), INCIDENT, T0, "api:x", "n"), "")).isNull();
    }

    @Test
    void anApprovalRequestCarriesItsPromptWhoMayAnswerTheTimeoutAndTwoButtons() throws Exception {
        RunbookProgressed request = new RunbookProgressed(UUID.randomUUID(), INCIDENT, T0, RUN, "fail-over",
                Kind.APPROVAL_REQUESTED, "confirm", 2, "approval", "runbook:fail-over",
                "Fail over <!channel> to *eu-west*?", true, T0.plusSeconds(900));

        JsonNode blocks = json(SlackMessages.replyBlocks(request, ""));
        String shown = blocks.toString();
        assertThat(shown).contains("Runbook *fail-over* (dry run), step *confirm*")
                .contains("&lt;!channel&gt;").doesNotContain("<!channel>")
                .contains("Anyone in this channel may approve or deny").contains("Times out at 2026-11-22 03:15 UTC");
        JsonNode actions = blocks.findParent("block_id");
        assertThat(actions.path("block_id").asText()).isEqualTo("runbook-approval:" + INCIDENT);
        assertThat(actions.path("elements").findValuesAsText("action_id"))
                .containsExactly("runbook.approve", "runbook.deny");
        assertThat(actions.path("elements").findValuesAsText("value"))
                .containsExactly(RUN + ":2", RUN + ":2");
        assertThat(SlackMessages.reply(request, "")).startsWith(":raising_hand: Runbook *fail-over* (dry run)");
    }

    @Test
    void anApprovalRequestMentionsTheTargetLikeAPageAndIsShownInTheChannel() throws Exception {
        RunbookProgressed request = new RunbookProgressed(UUID.randomUUID(), INCIDENT, T0, RUN, "fail-over",
                Kind.APPROVAL_REQUESTED, "confirm", 2, "approval", "runbook:fail-over", "Fail over?", false, null);
        String mentions = "<!subteam^S0SRE> <!here>";
        assertThat(SlackMessages.needsNotice(request)).isTrue();
        assertThat(SlackMessages.reply(request, mentions))
                .isEqualTo(":raising_hand: <!subteam^S0SRE> <!here> Runbook *fail-over*, step *confirm*: Fail over?");
        assertThat(json(SlackMessages.replyBlocks(request, mentions)).path(0).at("/text/text").asText())
                .startsWith(":raising_hand: <!subteam^S0SRE> <!here> *Approval needed* Runbook *fail-over*");
        assertThat(json(SlackMessages.replyBlocks(request, "")).path(0).at("/text/text").asText())
                .startsWith(":raising_hand: *Approval needed*");
    }

    @Test
    void anApprovalRequestWithoutItsRunOrStepHasNoButtons() throws Exception {
        RunbookProgressed request = new RunbookProgressed(UUID.randomUUID(), INCIDENT, T0, null, "fail-over",
                Kind.APPROVAL_REQUESTED, "confirm", null, "approval", "runbook:fail-over", "Go?", false, null);
        String shown = json(SlackMessages.replyBlocks(request, "")).toString();
        assertThat(shown).doesNotContain("runbook.approve").contains("No buttons").doesNotContain("Times out");
    }

    private static RunbookProgressed event(Kind kind, String summary, boolean dryRun) {
        return new RunbookProgressed(UUID.randomUUID(), INCIDENT, T0, RUN, "restart-checkout", kind, "restart", 1,
                "http", "runbook:restart-checkout", summary, dryRun, null);
    }

    /** The blocks as the Slack SDK sends them. */
    private static JsonNode json(List<LayoutBlock> blocks) throws Exception {
        return new ObjectMapper().readTree(GsonFactory.createSnakeCase().toJson(blocks));
    }
}
