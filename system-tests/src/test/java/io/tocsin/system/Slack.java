package io.tocsin.system;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/** Slack's side of the wire: signed button presses as Slack sends them, and the form bodies the SDK posts. */
final class Slack {

    private Slack() {
    }

    /** Posts a signed {@code block_actions} interaction with one action (its JSON) to the notifier. */
    static HttpResponse<String> press(HttpClient http, int notifier, String signingSecret, String user, String action,
            String responseUrl) throws Exception {
        return press(http, notifier, signingSecret, user, action, responseUrl, null);
    }

    /** As above, with the pressed message (its JSON, as Slack sends it along: {@code {"text": …, "blocks": […]}}). */
    static HttpResponse<String> press(HttpClient http, int notifier, String signingSecret, String user, String action,
            String responseUrl, String message) throws Exception {
        String payload = "{\"type\":\"block_actions\",\"team\":{\"id\":\"T0SYS\"},\"user\":{\"id\":\"" + user + "\"},"
                + "\"actions\":[" + action + "],\"response_url\":\"" + responseUrl + "\""
                + (message == null ? "" : ",\"message\":" + message) + "}";
        String body = "payload=" + URLEncoder.encode(payload, StandardCharsets.UTF_8);
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(signingSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = "v0=" + HexFormat.of()
                .formatHex(mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8)));
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + notifier + "/slack/interactions"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Slack-Request-Timestamp", timestamp).header("X-Slack-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A form-encoded body (how the Slack SDK calls the Web API) as a map. */
    static Map<String, String> form(LoggedRequest request) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : request.getBodyAsString().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }
}
