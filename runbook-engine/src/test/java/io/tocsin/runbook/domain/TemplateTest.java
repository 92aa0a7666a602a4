package io.tocsin.runbook.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class TemplateTest {

    private final Variables variables = new Variables(UUID.fromString("22222222-2222-4222-8222-222222222222"),
            "Checkout \"down\"", "P1", "checkout", "open", Map.of("namespace", "prod", "deployment", "../../admin"),
            Map.of("summary", "5xx\nabove 50%"), UUID.fromString("33333333-3333-4333-8333-333333333333"), "restart",
            Instant.parse("2026-11-30T03:00:00Z"), Map.of("TOKEN", "s3cr3t-value")::get);

    @Test
    void substitutesVariablesAndNothingElse() {
        Template template = Template.parse("{{ incident.priority }} {{labels.namespace}} {{runbook.name}} {{now}}");

        assertThat(template.render(variables.values(), Template.Encoding.PLAIN))
                .isEqualTo("P1 prod restart 2026-11-30T03:00:00Z");
    }

    @Test
    void inAUrlAValueCannotAddPathSegmentsOrChangeTheHost() {
        Template url = Template.parse("https://api.internal/deployments/{{labels.deployment}}?ns={{labels.namespace}}");

        assertThat(url.render(variables.values(), Template.Encoding.URL))
                .isEqualTo("https://api.internal/deployments/..%2F..%2Fadmin?ns=prod");
    }

    @Test
    void aFilterCannotTurnOffPercentEncodingInAUrl() {
        Template url = Template.parse("https://api.internal/d/{{labels.deployment | json}}");

        assertThat(url.render(variables.values(), Template.Encoding.URL)).isEqualTo("https://api.internal/d/..%2F..%2Fadmin");
    }

    @Test
    void theJsonFilterEscapesForAJsonString() {
        Template body = Template.parse("{\"title\": \"{{incident.title | json}}\", \"s\": \"{{annotations.summary|json}}\"}");

        assertThat(body.render(variables.values(), Template.Encoding.PLAIN))
                .isEqualTo("{\"title\": \"Checkout \\\"down\\\"\", \"s\": \"5xx\\nabove 50%\"}");
    }

    @Test
    void secretsAreRealForTheCallAndPlaceholdersOnTheRecord() {
        Template header = Template.parse("Bearer {{secret.TOKEN}}");

        assertThat(header.render(variables.values(), Template.Encoding.PLAIN)).isEqualTo("Bearer s3cr3t-value");
        assertThat(header.render(variables.redacted(), Template.Encoding.PLAIN)).isEqualTo("Bearer [secret TOKEN]");
        assertThat(variables.redact("echoed: s3cr3t-value")).isEqualTo("echoed: [secret TOKEN]");
    }

    @Test
    void aMissingLabelIsNamed() {
        Template template = Template.parse("{{labels.pod}}");

        assertThatThrownBy(() -> template.render(variables.values(), Template.Encoding.PLAIN))
                .isInstanceOf(Template.MissingValue.class).hasMessage("labels.pod has no value for this incident");
    }

    @Test
    void expressionsAreNotTemplates() {
        assertThatThrownBy(() -> Template.parse("{{ labels.a + labels.b }}")).hasMessageContaining("unknown variable");
        assertThatThrownBy(() -> Template.parse("{{ ''.getClass() }}")).hasMessageContaining("unknown variable");
        assertThatThrownBy(() -> Template.parse("{{ labels.a | exec }}")).hasMessageContaining("unknown filter");
        assertThatThrownBy(() -> Template.parse("{{ labels.a ")).hasMessageContaining("never closed");
    }
}
