package io.tocsin.system;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/**
 * What every fault-injection test needs around the packaged services: fake Slack, PagerDuty and a webhook receiver
 * on loopback that count what they were sent, a two-level escalation policy, an alert sender, and read-backs of
 * topics and the database to count alerts, incidents, pages and dead letters.
 */
final class FaultStack implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String INGEST_TOKEN = "fault-test-ingest-token-00001";
    static final String API_TOKEN = "fault-test-api-token-000000001";
    static final String ROUTING_KEY = "R0FAULTTEST00000000000000000000";
    static final String SIGNING_SECRET = "fault-test-signing-secret";
    static final List<String> DEAD_LETTER_TOPICS = List.of("tocsin.alerts.dlq.v1", "tocsin.commands.dlq.v1",
            "tocsin.notifications.dlq.escalation.v1", "tocsin.runbooks.dlq.escalation.v1",
            "tocsin.incidents.dlq.notifier.v1", "tocsin.notifications.dlq.v1",
            "tocsin.incidents.dlq.runbook-engine.v1", "tocsin.runbook-commands.dlq.v1");
    /** The one runbook of the stack: it waits for an approval, so a run stays in progress until decided. */
    static final String RUNBOOK = """
            version: 1
            name: fault-runbook
            match:
              labels: {alertname: FaultRunbook}
            steps:
              - name: ask
                kind: approval
                message: Go ahead?
                timeout: 10m
              - name: tell
                kind: notify
                message: approved
            """;

    final WireMockServer fakes;
    final Services services;
    final String bootstrapServers;
    final String jdbcUrl;
    final String logPrefix;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    final int ingest = Services.freePort();
    final int escalation = Services.freePort();
    final int notifier = Services.freePort();
    final int engine = Services.freePort();
    final Map<String, Process> running = new ConcurrentHashMap<>();
    private final Path policy;
    private final Path runbooks;
    private final Map<String, Map<String, String>> extras = new ConcurrentHashMap<>();

    FaultStack(String logPrefix, String bootstrapServers, String dbHost, int dbPort, String dbName, Duration secondLevel)
            throws IOException {
        this.logPrefix = logPrefix;
        this.bootstrapServers = bootstrapServers;
        this.jdbcUrl = "jdbc:postgresql://" + dbHost + ":" + dbPort + "/" + dbName;
        this.services = new Services(bootstrapServers, dbHost, dbPort, dbName, "postgres");
        fakes = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(40)
                .asynchronousResponseEnabled(false));
        fakes.start();
        stubHealthyFakes();
        policy = Files.createTempFile("fault-policy", ".yaml");
        Files.writeString(policy, """
                version: 1
                policies:
                  - name: fault
                    levels:
                      - after: 0s
                        notify:
                          - slack: "#fault-test"
                          - pagerduty: "%s"
                      - after: %ds
                        notify:
                          - webhook: "%s/hook"
                    repeat: 0
                    auto_resolve: false
                """.formatted(ROUTING_KEY, secondLevel.toSeconds(), fakes.baseUrl()));
        runbooks = Files.createTempDirectory("fault-runbooks");
        Files.writeString(runbooks.resolve("fault-runbook.yaml"), RUNBOOK);
    }

    /** Slack, PagerDuty and the webhook receiver all answer success. */
    void stubHealthyFakes() {
        fakes.resetMappings();
        fakes.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(okJson(
                "{\"ok\":true,\"channel\":\"C0FAULT\",\"ts\":\"{{randomValue length=10 type='NUMERIC'}}.000400\"}")
                .withTransformers("response-template")));
        fakes.stubFor(post(urlEqualTo("/api/chat.update")).willReturn(okJson("{\"ok\":true}")));
        fakes.stubFor(post(urlEqualTo("/v2/enqueue")).willReturn(aResponse().withStatus(202)
                .withBody("{\"status\":\"success\",\"message\":\"Event processed\"}")));
        fakes.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
    }

    Map<String, String> ingestSettings() {
        return Map.of("TOCSIN_INGEST_TOKENS", "load:" + INGEST_TOKEN);
    }

    Map<String, String> escalationSettings() {
        return Map.of("TOCSIN_API_TOKENS", "oncall:" + API_TOKEN,
                "TOCSIN_ESCALATION_POLICY_FILE", policy.toString());
    }

    Map<String, String> notifierSettings() {
        Map<String, String> settings = new HashMap<>();
        settings.put("TOCSIN_SLACK_API_URL", fakes.baseUrl() + "/api/");
        settings.put("TOCSIN_SLACK_BOT_TOKEN", "xoxb-fault-test");
        settings.put("TOCSIN_SLACK_SIGNING_SECRET", SIGNING_SECRET);
        settings.put("TOCSIN_PAGERDUTY_EVENTS_URL", fakes.baseUrl() + "/v2/enqueue");
        settings.put("TOCSIN_INCIDENT_URL", "http://127.0.0.1:" + escalation + "/api/v1/incidents/");
        // Many incidents share one channel here; Slack's one message a second would only make the test slow.
        settings.put("TOCSIN_NOTIFIER_SLACK_CHANNEL_INTERVAL", "5ms");
        settings.put("TOCSIN_NOTIFIER_SLACK_THREAD_REPLIES", "quiet");
        return settings;
    }

    /** Starts (or restarts, on the same port, with the settings it had) one of the three services; waits till ready. */
    Process start(String module) throws IOException {
        return start(module, extras.getOrDefault(module, Map.of()));
    }

    /** As above, with settings added to the defaults (kept for restarts). */
    Process start(String module, Map<String, String> extra) throws IOException {
        extras.put(module, extra);
        Map<String, String> settings = new HashMap<>(switch (module) {
            case "alert-ingest" -> ingestSettings();
            case "escalation" -> escalationSettings();
            case "notifier" -> notifierSettings();
            case "runbook-engine" -> Map.of("TOCSIN_API_TOKENS", "oncall:" + API_TOKEN,
                    "TOCSIN_RUNBOOK_DIR", runbooks.toString());
            default -> throw new IllegalArgumentException(module);
        });
        settings.putAll(extra);
        Process process = services.start(module, logPrefix + "-" + module, port(module), settings);
        running.put(module, process);
        return process;
    }

    int port(String module) {
        return switch (module) {
            case "alert-ingest" -> ingest;
            case "escalation" -> escalation;
            case "notifier" -> notifier;
            case "runbook-engine" -> engine;
            default -> throw new IllegalArgumentException(module);
        };
    }

    void startAll() throws IOException {
        start("alert-ingest");
        start("escalation");
        start("notifier");
    }

    /** Posts one alert on the generic door; its group is its {@code alertname}. Returns the HTTP status, or -1. */
    int sendAlert(String group, String fingerprint) {
        String body = "{\"labels\":{\"alertname\":\"" + group + "\",\"service\":\"fault\",\"severity\":\"critical\","
                + "\"instance\":\"" + fingerprint + "\"},\"annotations\":{\"summary\":\"fault test " + group + "\"},"
                + "\"fingerprint\":\"" + fingerprint + "\"}";
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest + "/api/v1/alerts"))
                    .timeout(Duration.ofSeconds(8)).header("Authorization", "Bearer " + INGEST_TOKEN)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Calls escalation's API; returns the status. */
    int api(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + escalation + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + API_TOKEN)
                .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** GETs {@code path} from a service's API (escalation or the runbook engine) with the stack's token, as JSON. */
    JsonNode get(String module, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(module) + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + API_TOKEN).GET().build();
        return JSON.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    /** A steady stream of alerts on a scheduler (no sleeping thread), recording every answer by fingerprint. */
    /** Closes what a test class started, in the order given (the stack before the broker and database it uses). */
    static void closeAll(AutoCloseable... started) throws Exception {
        for (AutoCloseable resource : started) {
            if (resource != null) {
                resource.close();
            }
        }
    }

    final class Load implements AutoCloseable {
        final Map<String, Integer> answers = new ConcurrentHashMap<>();
        final Map<String, String> groupOf = new ConcurrentHashMap<>();
        private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(4);
        private final AtomicInteger sequence = new AtomicInteger();

        Load(String prefix, Supplier<String> group, Duration every) {
            scheduler.scheduleAtFixedRate(() -> {
                String fingerprint = prefix + "-" + sequence.incrementAndGet();
                String name = group.get();
                groupOf.put(fingerprint, name);
                answers.put(fingerprint, sendAlert(name, fingerprint));
            }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        }

        Set<String> accepted() {
            Set<String> accepted = new HashSet<>();
            answers.forEach((fingerprint, status) -> {
                if (status >= 200 && status < 300) {
                    accepted.add(fingerprint);
                }
            });
            return accepted;
        }

        Set<String> acceptedGroups() {
            Set<String> groups = new HashSet<>();
            accepted().forEach(fingerprint -> groups.add(groupOf.get(fingerprint)));
            return groups;
        }

        @Override
        public void close() throws InterruptedException {
            scheduler.shutdown();
            scheduler.awaitTermination(20, TimeUnit.SECONDS);
        }
    }

    // ---- read-backs ----

    /** Every record on a topic from the beginning to its end now; an absent topic has none. */
    List<ConsumerRecord<String, String>> readTopic(String topic) {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(config)) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
                return List.of();
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not list topics", e);
        }
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                        return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
                    });
        }
        return records;
    }

    /** How many records each dead-letter topic holds. */
    Map<String, Integer> deadLetters() {
        Map<String, Integer> counts = new HashMap<>();
        DEAD_LETTER_TOPICS.forEach(topic -> counts.put(topic, readTopic(topic).size()));
        return counts;
    }

    int deadLetterTotal() {
        return deadLetters().values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Incident events by type, each distinct {@code eventId} once (delivery to the topic is at-least-once). */
    List<JsonNode> incidentEvents(String type) {
        Map<String, JsonNode> byId = new HashMap<>();
        for (ConsumerRecord<String, String> record : readTopic("tocsin.incidents.v1")) {
            try {
                JsonNode event = JSON.readTree(record.value());
                if (type.equals(event.path("type").asText())) {
                    byId.putIfAbsent(event.path("eventId").asText(), event);
                }
            } catch (IOException e) {
                // a record this test wrote on purpose
            }
        }
        return new ArrayList<>(byId.values());
    }

    /** Distinct notification.requested events per incident, level, cycle and channel; each must be 1. */
    Map<String, Integer> notificationsRequested() {
        Map<String, Integer> counts = new HashMap<>();
        for (JsonNode event : incidentEvents("notification.requested")) {
            counts.merge(event.path("incidentId").asText() + "/level " + event.path("level").asInt() + "/cycle "
                    + event.path("cycle").asInt() + "/" + event.path("target").path("channel").asText(), 1,
                    Integer::sum);
        }
        return counts;
    }

    /** Rows of a query, each as a list of strings. */
    List<List<String>> query(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            List<List<String>> result = new ArrayList<>();
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(rows.getString(i));
                }
                result.add(row);
            }
            return result;
        }
    }

    /** Incidents per group ({@code alertname}), resolved or not. */
    Map<String, Integer> incidentsPerGroup() throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        for (List<String> row : query("SELECT group_labels->>'alertname', count(*) FROM incident GROUP BY 1")) {
            counts.put(row.get(0), Integer.parseInt(row.get(1)));
        }
        return counts;
    }

    /** Incident id by group ({@code alertname}). */
    Map<String, String> incidentOfGroup() throws SQLException {
        Map<String, String> ids = new HashMap<>();
        for (List<String> row : query("SELECT group_labels->>'alertname', id FROM incident")) {
            ids.put(row.get(0), row.get(1));
        }
        return ids;
    }

    Set<String> storedFingerprints() throws SQLException {
        Set<String> fingerprints = new HashSet<>();
        query("SELECT fingerprint FROM alert").forEach(row -> fingerprints.add(row.get(0)));
        return fingerprints;
    }

    /** Notifier deliveries by status. */
    Map<String, Integer> deliveriesByStatus() throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        for (List<String> row : query("SELECT status, count(*) FROM notifier.delivery GROUP BY 1")) {
            counts.put(row.get(0), Integer.parseInt(row.get(1)));
        }
        return counts;
    }

    // ---- what the fakes were sent (answered 2xx only: a refused request delivered nothing) ----

    List<ServeEvent> served(String path) {
        List<ServeEvent> events = new ArrayList<>(fakes.getAllServeEvents().stream()
                .filter(event -> event.getRequest().getUrl().equals(path))
                .filter(event -> event.getResponse().getStatus() < 300).toList());
        events.sort((a, b) -> a.getRequest().getLoggedDate().compareTo(b.getRequest().getLoggedDate()));
        return events;
    }

    /** Slack root messages (not thread replies) per incident id. */
    Map<String, Integer> slackRootsPerIncident() {
        Map<String, Integer> counts = new HashMap<>();
        Map<String, String> byTitle = null;
        for (ServeEvent event : served("/api/chat.postMessage")) {
            Map<String, String> form = Slack.form(event.getRequest());
            if (!form.containsKey("thread_ts")) {
                String id = incidentIdIn(form.get("blocks"));
                if ("?".equals(id)) {
                    // A message first posted after its incident resolved has no buttons: known by its title.
                    byTitle = byTitle == null ? incidentsByTitle() : byTitle;
                    id = incidentTitled(byTitle, form.get("blocks"));
                }
                counts.merge(id, 1, Integer::sum);
            }
        }
        return counts;
    }

    private Map<String, String> incidentsByTitle() {
        Map<String, String> ids = new HashMap<>();
        try {
            query("SELECT title, id FROM incident").forEach(row -> ids.put(row.get(0), row.get(1)));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    /** The incident whose title the blocks hold, the longest that fits ("fault test Load-12", not "...Load-1"). */
    private static String incidentTitled(Map<String, String> byTitle, String blocks) {
        return byTitle.entrySet().stream().filter(entry -> blocks != null && blocks.contains(entry.getKey()))
                .max(java.util.Comparator.comparingInt(entry -> entry.getKey().length()))
                .map(Map.Entry::getValue).orElse("?");
    }

    /** PagerDuty events of one action per incident id (dedup key {@code tocsin-<id>}). */
    Map<String, Integer> pagerDutyPerIncident(String action) {
        Map<String, Integer> counts = new HashMap<>();
        for (JsonNode event : pagerDutyEvents()) {
            if (action.equals(event.path("event_action").asText())) {
                counts.merge(event.path("dedup_key").asText().replaceFirst("^tocsin-", ""), 1, Integer::sum);
            }
        }
        return counts;
    }

    List<JsonNode> pagerDutyEvents() {
        return served("/v2/enqueue").stream().map(event -> parse(event.getRequest().getBodyAsString())).toList();
    }

    /** Webhook pages (a level's {@code notification.requested}, not the follow-ups after it) per incident and level. */
    Map<String, Integer> webhooksPerIncident() {
        Map<String, Integer> counts = new HashMap<>();
        for (ServeEvent event : served("/hook")) {
            JsonNode body = parse(event.getRequest().getBodyAsString());
            if (body.path("event").path("type").asText().equals("notification.requested")) {
                counts.merge(body.path("incident").path("id").asText() + "/level "
                        + body.path("event").path("level").asInt(), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Webhook deliveries (by {@code X-Tocsin-Delivery}) answered 2xx more than once. */
    long webhookDeliveriesRepeated() {
        Map<String, Integer> counts = new HashMap<>();
        served("/hook").forEach(event -> counts.merge(event.getRequest().getHeader("X-Tocsin-Delivery"), 1,
                Integer::sum));
        return counts.values().stream().filter(n -> n > 1).count();
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String incidentIdIn(String blocks) {
        if (blocks == null) {
            return "?";
        }
        for (String value : parse(blocks).findValuesAsText("value")) {
            try {
                return UUID.fromString(value).toString();
            } catch (IllegalArgumentException notAnId) {
                // another button's value
            }
        }
        return "?";
    }

    /** A producer that writes raw bytes to any topic, for records that bypass alert-ingest. */
    KafkaProducer<String, byte[]> rawProducer() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(config);
    }

    void send(KafkaProducer<String, byte[]> producer, String topic, Integer partition, String key, String value)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, key, value.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .get(30, TimeUnit.SECONDS);
    }

    /** Holds still for {@code duration} without sleeping the thread in the test's own code. */
    static void hold(Duration duration) {
        await().pollDelay(duration).atMost(duration.plusSeconds(5)).until(() -> true);
    }

    @Override
    public void close() throws IOException {
        services.close();
        fakes.stop();
        Files.deleteIfExists(policy);
        Files.deleteIfExists(runbooks.resolve("fault-runbook.yaml"));
        Files.deleteIfExists(runbooks);
    }
}
