package io.tocsin.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class CredentialsTest {

    private static final String TOKEN_A = "token-a-0123456789abcdef";
    private static final String TOKEN_B = "token-b:with-colon-0123456";

    private final Credentials credentials = Credentials.parse(" am:" + TOKEN_A + ", uptime:" + TOKEN_B);

    @Test
    void bearerTokenNamesItsSource() {
        assertThat(credentials.authenticate("Bearer " + TOKEN_A)).contains("am");
        assertThat(credentials.authenticate("bearer " + TOKEN_B)).contains("uptime");
    }

    @Test
    void basicAuthNeedsTheMatchingNameAsUser() {
        assertThat(credentials.authenticate(basic("uptime", TOKEN_B))).contains("uptime");
        assertThat(credentials.authenticate(basic("am", TOKEN_B))).isEmpty();
    }

    @Test
    void anythingElseIsRefused() {
        assertThat(credentials.authenticate(null)).isEmpty();
        assertThat(credentials.authenticate("Bearer nope-nope-nope-nope")).isEmpty();
        assertThat(credentials.authenticate(TOKEN_A)).isEmpty();
        assertThat(credentials.authenticate("Basic !!!not-base64")).isEmpty();
        assertThat(credentials.authenticate("Digest " + TOKEN_A)).isEmpty();
    }

    @Test
    void configurationErrorsNameTheEntryButNeverTheToken() {
        assertThatThrownBy(() -> Credentials.parse("")).hasMessageContaining("TOCSIN_INGEST_TOKENS");
        assertThatThrownBy(() -> Credentials.parse(" ", "TOCSIN_API_TOKENS")).hasMessageContaining("TOCSIN_API_TOKENS");
        assertThatThrownBy(() -> Credentials.parse("am:short-secret")).hasMessageContaining("entry 1 (am)")
                .hasMessageNotContaining("short-secret");
        assertThatThrownBy(() -> Credentials.parse("am:" + TOKEN_A + ",am:" + TOKEN_B))
                .hasMessageContaining("used twice").hasMessageNotContaining(TOKEN_B);
        assertThatThrownBy(() -> Credentials.parse("no colon here at all")).hasMessageContaining("name:token");
        assertThatThrownBy(() -> Credentials.parse("bad name:" + TOKEN_A)).hasMessageContaining("entry 1");
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
