package io.tocsin.notifier.channel.slack;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.model.block.LayoutBlock;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tocsin.events.NotificationTarget;
import io.tocsin.notifier.channel.Delivery;
import io.tocsin.notifier.channel.NotificationChannel;
import io.tocsin.notifier.channel.SendResult;
import io.tocsin.notifier.config.NotifierConfig;
import io.tocsin.notifier.domain.DeliveryAction;
import io.tocsin.notifier.domain.IncidentSnapshot;
import io.tocsin.notifier.domain.RetryAfter;
import io.tocsin.notifier.domain.SlackTarget;
import io.tocsin.notifier.domain.StormDigest;

/**
 * Slack through the Web API ({@code chat.postMessage}, {@code chat.update}) with the Slack Java SDK. The SDK's client
 * blocks, so calls run on worker threads; it neither retries nor waits on 429, which leaves pacing to the dispatcher.
 */
@ApplicationScoped
public class SlackChannel implements NotificationChannel {

    private static final Logger LOG = Logger.getLogger(SlackChannel.class);
    /** Errors Slack reports with {@code ok:false} that may pass; every other one is final. */
    private static final List<String> TRANSIENT_ERRORS = List.of("ratelimited", "internal_error", "fatal_error",
            "service_unavailable", "request_timeout");

    private final Slack slack;
    private final MethodsClient methods;
    private final Clock clock;

    public SlackChannel(NotifierConfig config, Clock clock) {
        this.clock = clock;
        SlackConfig slackConfig = new SlackConfig();
        slackConfig.setMethodsEndpointUrlPrefix(config.slack().apiUrl());
        slackConfig.setStatsEnabled(false);
        slackConfig.setPrettyResponseLoggingEnabled(false);
        int timeout = (int) config.slack().timeout().toMillis();
        slackConfig.setHttpClientReadTimeoutMillis(timeout);
        slackConfig.setHttpClientWriteTimeoutMillis(timeout);
        slackConfig.setHttpClientCallTimeoutMillis(timeout);
        this.slack = Slack.getInstance(slackConfig);
        this.methods = config.slack().botToken().filter(token -> !token.isBlank()).map(slack::methods).orElse(null);
    }

    @Override
    public NotificationTarget.Channel kind() {
        return NotificationTarget.Channel.SLACK;
    }

    @Override
    public String notConfigured(NotificationTarget target) {
        if (methods == null) {
            return "not sent: channel not configured (TOCSIN_SLACK_BOT_TOKEN is not set)";
        }
        if (target.address() == null || target.address().isBlank()) {
            return "not sent: channel not configured (the policy gives no Slack channel)";
        }
        return null;
    }

    @Override
    public String destination(NotificationTarget target) {
        return "slack";
    }

    @Override
    public Uni<SendResult> send(Delivery delivery) {
        SlackTarget target;
        try {
            target = SlackTarget.parse(delivery.target().address());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(new SendResult.Failed(e.getMessage()));
        }
        if (delivery.action() == DeliveryAction.SLACK_POST) {
            return call("chat.postMessage", () -> {
                ChatPostMessageResponse response = methods.chatPostMessage(request -> request
                        .channel(target.channel()).text(SlackMessages.fallback(delivery.incident()))
                        .blocks(SlackMessages.root(delivery.incident(), target.mentionLine()))
                        .unfurlLinks(false).unfurlMedia(false));
                return response.isOk() ? new SendResult.Delivered("posted to " + response.getChannel()
                        + " at " + response.getTs(), response.getChannel(), response.getTs()) : refused(response);
            });
        }
        // A repeated page and a runbook approval request mention the target's people, as the page did, and show in
        // the channel too: someone has to act on them.
        boolean notice = SlackMessages.needsNotice(delivery.event());
        String mentions = notice ? target.mentionLine() : "";
        String text = SlackMessages.reply(delivery.event(), mentions);
        List<LayoutBlock> blocks = SlackMessages.replyBlocks(delivery.event(), mentions);
        return call("chat.postMessage", () -> {
            ChatPostMessageResponse response = methods.chatPostMessage(request -> request
                    .channel(delivery.rootChannelId()).threadTs(delivery.rootTs()).text(text).blocks(blocks)
                    .replyBroadcast(notice).unfurlLinks(false).unfurlMedia(false));
            return response.isOk() ? SendResult.Delivered.of("replied in the thread of " + delivery.rootTs())
                    : refused(response);
        });
    }

    /** Rewrites an incident's root message to show it as it stands now. */
    public Uni<SendResult> update(IncidentSnapshot incident, String channelId, String ts, String mentions) {
        List<LayoutBlock> blocks = SlackMessages.root(incident, mentions);
        return call("chat.update", () -> {
            SlackApiTextResponse response = methods.chatUpdate(request -> request.channel(channelId).ts(ts)
                    .text(SlackMessages.fallback(incident)).blocks(blocks));
            return response.isOk() ? SendResult.Delivered.of("updated " + ts) : refused(response);
        });
    }

    /** Posts a storm digest to {@code channel} (a name or an id); the result carries its channel id and ts. */
    public Uni<SendResult> postDigest(String channel, StormDigest.Text text) {
        return call("chat.postMessage", () -> {
            ChatPostMessageResponse response = methods.chatPostMessage(request -> request.channel(channel)
                    .text(text.fallback()).blocks(SlackMessages.digest(text)).unfurlLinks(false).unfurlMedia(false));
            return response.isOk() ? new SendResult.Delivered("posted the storm digest to " + response.getChannel()
                    + " at " + response.getTs(), response.getChannel(), response.getTs()) : refused(response);
        });
    }

    /** Rewrites a storm digest in place. */
    public Uni<SendResult> updateDigest(String channelId, String ts, StormDigest.Text text) {
        return call("chat.update", () -> {
            SlackApiTextResponse response = methods.chatUpdate(request -> request.channel(channelId).ts(ts)
                    .text(text.fallback()).blocks(SlackMessages.digest(text)));
            return response.isOk() ? SendResult.Delivered.of("updated the storm digest " + ts) : refused(response);
        });
    }

    private Uni<SendResult> call(String method, Callable<SendResult> call) {
        return Uni.createFrom().item(() -> {
            try {
                return call.call();
            } catch (SlackApiException e) {
                int status = e.getResponse().code();
                if (status == 429) {
                    Duration wait = RetryAfter.parse(e.getResponse().header("Retry-After"), clock.instant(),
                            Duration.ofSeconds(30));
                    return new SendResult.Retry(method + ": HTTP 429, Slack asked to wait " + wait.toSeconds() + "s",
                            wait, true);
                }
                if (status >= 500) {
                    return SendResult.Retry.of(method + ": HTTP " + status);
                }
                return new SendResult.Failed(method + ": HTTP " + status);
            } catch (java.io.InterruptedIOException e) {
                if ("chat.postMessage".equals(method) && !String.valueOf(e.getMessage()).contains("connect")) {
                    // Slack may have posted it and not answered in time: posting again could show it twice.
                    return new SendResult.Failed(method + ": no answer within the timeout; it may have been posted, "
                            + "so it is not posted again");
                }
                return SendResult.Retry.of(method + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
            } catch (IOException e) {
                return SendResult.Retry.of(method + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
            } catch (Exception e) {
                LOG.warnf("%s failed unexpectedly: %s", method, e.toString());
                return SendResult.Retry.of(method + ": " + e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private static SendResult refused(SlackApiTextResponse response) {
        String error = response.getError() == null ? "unknown_error" : response.getError();
        if (TRANSIENT_ERRORS.contains(error)) {
            return SendResult.Retry.of("Slack said " + error);
        }
        return new SendResult.Failed("Slack said " + error
                + (response.getNeeded() == null ? "" : " (needs scope " + response.getNeeded() + ")"));
    }

    @PreDestroy
    void close() throws Exception {
        slack.close();
    }
}
