package io.tocsin.ingest.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The settings as SmallRye Config maps them at start, checked without starting the application. */
class ConfigurationCheckTest {

    private static final long HTTP_CAP = 32L * 1024 * 1024;

    @Test
    void theDefaultsWithValidTokensPass() {
        assertThat(problems(Map.of("tocsin.ingest.tokens", "am:0123456789abcdef,uptime:fedcba9876543210"))).isEmpty();
    }

    @Test
    void everyProblemIsOneLineNamingItsVariable() {
        List<String> problems = problems(Map.of(
                "tocsin.ingest.tokens", "am:0123456789abcdef,bad,am:short,copy:0123456789abcdef",
                "tocsin.ingest.publish-timeout", "12s",
                "tocsin.ingest.retry-after-seconds", "0",
                "tocsin.ingest.limits.max-body-size", "64M",
                "tocsin.ingest.limits.max-alerts", "0",
                "tocsin.ingest.limits.max-future-skew", "-1m"));

        assertThat(problems).containsExactly(
                "TOCSIN_INGEST_TOKENS: entry 2 is not of the form name:token",
                "TOCSIN_INGEST_TOKENS: entry 3 (am): the token is shorter than 16 characters",
                "TOCSIN_INGEST_TOKENS: entry 3 (am): the name is used twice",
                "TOCSIN_INGEST_TOKENS: entry 4 (copy): the same token as am; each caller needs a"
                        + " token of its own, or it is recorded under the wrong name",
                "TOCSIN_INGEST_PUBLISH_TIMEOUT (tocsin.ingest.publish-timeout) is 12000 ms; it must be more than 0 and"
                        + " less than 10 s, Alertmanager's shortest request timeout, or its 503 is never seen",
                "TOCSIN_INGEST_RETRY_AFTER_SECONDS (tocsin.ingest.retry-after-seconds) is 0; it must be 1 to 3600",
                "TOCSIN_INGEST_LIMITS_MAX_BODY_SIZE (tocsin.ingest.limits.max-body-size) is 67108864 bytes; it must be"
                        + " more than 0 and at most quarkus.http.limits.max-body-size (33554432), above which the HTTP"
                        + " layer answers without a problem",
                "TOCSIN_INGEST_LIMITS_MAX_ALERTS (tocsin.ingest.limits.max-alerts) is 0; it must be at least 1",
                "TOCSIN_INGEST_LIMITS_MAX_FUTURE_SKEW (tocsin.ingest.limits.max-future-skew) is PT-1M; it must not be"
                        + " negative (it would refuse alerts that start now)");
        assertThat(String.join("\n", problems)).doesNotContain("0123456789abcdef");
    }

    @Test
    void missingTokensAreNamed() {
        assertThat(problems(Map.of())).containsExactly("TOCSIN_INGEST_TOKENS: no tokens configured: set it to"
                + " name:token[,name:token...] (tokens of at least 16 characters)");
    }

    private static List<String> problems(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withConverter(java.time.Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .withMapping(IngestConfig.class)
                .build();
        return ConfigurationCheck.problems(config.getConfigMapping(IngestConfig.class), HTTP_CAP);
    }
}
