package io.tocsin.runbook;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The outside world of runbooks, as a real server on loopback: WireMock plays the Kubernetes API, Prometheus' HTTP
 * API and any other HTTP endpoint a step calls. It also points the engine at the test runbooks and allowlists it.
 */
public class Fakes implements QuarkusTestResourceLifecycleManager {

    public static final String KUBE_TOKEN = "kube-secret-token-0123456789";
    public static final String API_TOKEN = "runbook-test-token-0001";
    /** A secret as a file-mounted Kubernetes Secret often has it: with a trailing newline. */
    public static final String FILE_TOKEN = "file-token-0123456789\n";

    private static WireMockServer http;

    public static WireMockServer http() {
        return http;
    }

    /** The loopback base URL of the fake HTTP server. */
    public static String baseUrl() {
        return "http://127.0.0.1:" + http.port();
    }

    @Override
    public Map<String, String> start() {
        http = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        http.start();
        Map<String, String> config = new HashMap<>();
        config.put("tocsin.runbook.variables.FAKE_URL", baseUrl());
        config.put("tocsin.runbook.directory", Path.of("src", "test", "resources", "runbooks").toAbsolutePath()
                .toString());
        config.put("tocsin.runbook.allowed-hosts", "127.0.0.1,169.254.169.254");
        config.put("tocsin.runbook.shell-allowlist", "/bin/echo");
        config.put("tocsin.runbook-secret.KUBE_TOKEN", KUBE_TOKEN);
        config.put("tocsin.runbook-secret.FILE_TOKEN", FILE_TOKEN);
        config.put("tocsin.runbook.api-tokens", "tests:" + API_TOKEN);
        // The folder holds broken.yaml, which the API must list as invalid: the escape hatch lets the start pass it.
        config.put("tocsin.runbook.skip-invalid", "true");
        return config;
    }

    /** The requests whose URL starts with {@code prefix}, oldest first. */
    public static List<LoggedRequest> requests(String prefix) {
        return http.getAllServeEvents().stream().map(event -> event.getRequest())
                .filter(request -> request.getUrl().startsWith(prefix))
                .sorted((a, b) -> a.getLoggedDate().compareTo(b.getLoggedDate()))
                .toList();
    }

    @Override
    public void stop() {
        if (http != null) {
            http.stop();
        }
    }
}
