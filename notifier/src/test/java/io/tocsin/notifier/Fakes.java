package io.tocsin.notifier;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The third parties, as real servers on loopback: WireMock plays Slack's Web API, Slack's response URLs, PagerDuty's
 * Events API and webhook receivers; GreenMail is the SMTP server. Tests reach them through the static accessors.
 */
public class Fakes implements QuarkusTestResourceLifecycleManager {

    public static final String BOT_TOKEN = "xoxb-test-0000-tocsin";
    public static final String SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    public static final String WEBHOOK_SECRET = "whsec-test-tocsin";

    private static WireMockServer http;
    private static GreenMail smtp;

    public static WireMockServer http() {
        return http;
    }

    public static GreenMail smtp() {
        return smtp;
    }

    /** The loopback base URL of the fake HTTP server. */
    public static String baseUrl() {
        return "http://127.0.0.1:" + http.port();
    }

    @Override
    public Map<String, String> start() {
        http = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        http.start();
        stubDefaults();
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        Map<String, String> config = new HashMap<>();
        config.put("tocsin.notifier.slack.api-url", baseUrl() + "/api/");
        config.put("tocsin.notifier.slack.bot-token", BOT_TOKEN);
        config.put("tocsin.notifier.slack.signing-secret", SIGNING_SECRET);
        config.put("tocsin.notifier.slack.response-url-hosts", "127.0.0.1");
        config.put("quarkus.rest-client.pagerduty.url", baseUrl() + "/v2/enqueue");
        config.put("tocsin.notifier.webhook.signing-secret", WEBHOOK_SECRET);
        config.put("tocsin.notifier.email.smtp-host", "127.0.0.1");
        config.put("quarkus.mailer.host", "127.0.0.1");
        config.put("quarkus.mailer.port", Integer.toString(smtp.getSmtp().getPort()));
        config.put("quarkus.mailer.start-tls", "DISABLED");
        config.put("tocsin.notifier.incident-url", "https://tocsin.example.com/incidents/");
        return config;
    }

    /** Slack answers every call well, PagerDuty accepts every event, webhook receivers say 200. */
    public static void stubDefaults() {
        // Every message gets a ts of its own, as in Slack, so tests can tell which root a reply belongs to.
        http.stubFor(post(urlEqualTo("/api/chat.postMessage")).atPriority(10)
                .willReturn(okJson("{\"ok\":true,\"channel\":\"C0TOCSIN01\","
                        + "\"ts\":\"{{randomValue length=10 type='NUMERIC'}}.000100\"}")
                        .withTransformers("response-template")));
        http.stubFor(post(urlEqualTo("/api/chat.update")).atPriority(10)
                .willReturn(okJson("{\"ok\":true,\"channel\":\"C0TOCSIN01\",\"ts\":\"1712345678.000100\"}")));
        http.stubFor(post(urlEqualTo("/v2/enqueue")).atPriority(10).willReturn(aResponse().withStatus(202)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"x\"}")));
        http.stubFor(post(urlEqualTo("/hooks/ok")).atPriority(10).willReturn(aResponse().withStatus(200)));
        http.stubFor(post(urlEqualTo("/slack/response")).atPriority(10).willReturn(aResponse().withStatus(200)));
    }

    /** The requests to {@code path} whose body mentions {@code text} (an incident id, say). */
    public static List<LoggedRequest> requests(String path, String text) {
        return http.getAllServeEvents().stream().map(event -> event.getRequest())
                .filter(request -> request.getUrl().equals(path) && request.getBodyAsString().contains(text))
                .sorted((a, b) -> a.getLoggedDate().compareTo(b.getLoggedDate()))
                .toList();
    }

    /** A form-encoded body (how the Slack SDK calls the Web API) as a map. */
    public static Map<String, String> form(LoggedRequest request) {
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

    @Override
    public void stop() {
        if (http != null) {
            http.stop();
        }
        if (smtp != null) {
            smtp.stop();
        }
    }
}
