package io.tocsin.notifier.channel.webhook;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.NotificationTarget;
import io.tocsin.notifier.channel.Delivery;
import io.tocsin.notifier.channel.NotificationChannel;
import io.tocsin.notifier.channel.SendResult;
import io.tocsin.notifier.config.NotifierConfig;
import io.tocsin.notifier.domain.IncidentSnapshot;
import io.tocsin.notifier.domain.RetryAfter;

/**
 * Outgoing webhooks: a JSON body ({@code tocsin.webhook.v1}, docs/notifications.md) with the event and the incident,
 * signed with HMAC-SHA256 when a secret is set, and a delivery id that stays the same across retries.
 */
@ApplicationScoped
public class WebhookChannel implements NotificationChannel {

    public static final String SCHEMA = "tocsin.webhook.v1";

    private final HttpClient http;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final byte[] secret;
    private final Duration timeout;

    public WebhookChannel(NotifierConfig config, ObjectMapper mapper, Clock clock) {
        this.mapper = mapper;
        this.clock = clock;
        this.timeout = config.webhook().timeout();
        this.secret = config.webhook().signingSecret().filter(s -> !s.isBlank())
                .map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The signature header's value: {@code v1=hex(HMAC-SHA256(secret, timestamp + "." + body))}. */
    public static String signature(byte[] secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is always available", e);
        }
    }

    @Override
    public NotificationTarget.Channel kind() {
        return NotificationTarget.Channel.WEBHOOK;
    }

    @Override
    public String notConfigured(NotificationTarget target) {
        String url = target.address() == null ? "" : target.address().trim();
        if (url.isEmpty()) {
            return "not sent: channel not configured (the policy gives no webhook URL)";
        }
        try {
            URI uri = URI.create(url);
            if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
                return "not sent: channel not configured (" + target + " is not an http(s) URL)";
            }
        } catch (IllegalArgumentException e) {
            return "not sent: channel not configured (" + target + " is not an http(s) URL)";
        }
        return null;
    }

    @Override
    public String destination(NotificationTarget target) {
        try {
            return "webhook:" + URI.create(target.address().trim()).getAuthority();
        } catch (IllegalArgumentException e) {
            return "webhook:" + target.address();
        }
    }

    @Override
    public Uni<SendResult> send(Delivery delivery) {
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(body(delivery));
        } catch (JsonProcessingException e) {
            return Uni.createFrom().item(new SendResult.Failed("the webhook body could not be written: " + e));
        }
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(delivery.target().address().trim()))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "Tocsin-Notifier")
                .header("X-Tocsin-Delivery", deliveryId(delivery.key()).toString())
                .header("X-Tocsin-Timestamp", timestamp)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (secret != null) {
            request.header("X-Tocsin-Signature", signature(secret, timestamp, body));
        }
        return Uni.createFrom().completionStage(() -> http.sendAsync(request.build(),
                HttpResponse.BodyHandlers.discarding()))
                .map(this::result)
                // The exception's message can quote the URL, whose path or query may hold a token: not repeated.
                .onFailure().recoverWithItem(failure -> SendResult.Retry
                        .of("webhook " + delivery.target() + ": " + failure.getClass().getSimpleName()));
    }

    /** The id receivers drop repeats by: the same for every attempt of one delivery. */
    public static UUID deliveryId(String idempotencyKey) {
        return UUID.nameUUIDFromBytes(idempotencyKey.getBytes(StandardCharsets.UTF_8));
    }

    private Map<String, Object> body(Delivery delivery) throws JsonProcessingException {
        IncidentSnapshot incident = delivery.incident();
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("id", incident.id());
        snapshot.put("title", incident.title());
        snapshot.put("service", incident.service());
        snapshot.put("priority", incident.priority());
        snapshot.put("state", incident.state());
        snapshot.put("groupLabels", incident.groupLabels());
        snapshot.put("labels", incident.labels());
        snapshot.put("annotations", incident.annotations());
        snapshot.put("alerts", incident.alerts());
        snapshot.put("firing", incident.firing());
        snapshot.put("acknowledgedBy", incident.acknowledgedBy());
        snapshot.put("openedAt", incident.openedAt());
        snapshot.put("url", incident.url());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("schema", SCHEMA);
        body.put("deliveryId", deliveryId(delivery.key()));
        JsonNode event = mapper.readTree(delivery.eventJson());
        body.put("event", event);
        body.put("incident", snapshot);
        return body;
    }

    private SendResult result(HttpResponse<Void> response) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return SendResult.Delivered.of("webhook answered HTTP " + status);
        }
        if (status == 429) {
            Duration wait = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null),
                    clock.instant(), Duration.ofSeconds(30));
            return new SendResult.Retry("webhook: HTTP 429, asked to wait " + wait.toSeconds() + "s", wait, true);
        }
        if (status >= 500 || status == 408) {
            return SendResult.Retry.of("webhook: HTTP " + status);
        }
        return new SendResult.Failed("webhook: HTTP " + status + ", the receiver refused it");
    }
}
