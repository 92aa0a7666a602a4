package io.tocsin.runbook.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

class HostPolicyTest {

    private final HostPolicy policy = new HostPolicy(List.of("kube-api.internal:6443", "*.svc.cluster.local",
            "127.0.0.1", "169.254.169.254"));

    @Test
    void allowsListedHostsPortsAndDomains() {
        assertThat(policy.refusal(URI.create("https://kube-api.internal:6443/apis"))).isNull();
        assertThat(policy.refusal(URI.create("http://web.prod.svc.cluster.local/x"))).isNull();
        assertThat(policy.refusal(URI.create("http://127.0.0.1:9999/x"))).isNull();
    }

    @Test
    void refusesEverythingElse() {
        assertThat(policy.refusal(URI.create("https://kube-api.internal/apis"))).contains("kube-api.internal:443")
                .contains("not on the allowlist");
        assertThat(policy.refusal(URI.create("https://evil.com/svc.cluster.local"))).contains("not on the allowlist");
        assertThat(policy.refusal(URI.create("https://svc.cluster.local.evil.com/"))).contains("not on the allowlist");
        assertThat(policy.refusal(URI.create("file:///etc/passwd"))).contains("only http and https");
        assertThat(policy.refusal(URI.create("http://user:pw@127.0.0.1/"))).contains("user name or password");
        assertThat(policy.refusal(URI.create("http://metadata.google.internal/computeMetadata/v1/")))
                .contains("cloud metadata");
    }

    @Test
    void aLinkLocalOrMetadataAddressIsRefusedEvenWhenAllowlisted() throws Exception {
        assertThat(policy.refusal(URI.create("http://169.254.169.254/latest/meta-data/"))).isNull();
        assertThat(policy.refusal("169.254.169.254", InetAddress.getByName("169.254.169.254")))
                .contains("link-local or cloud-metadata");
        assertThat(policy.refusal("sneaky.internal", InetAddress.getByName("169.254.10.1"))).contains("link-local");
        assertThat(policy.refusal("v6", InetAddress.getByName("fe80::1"))).contains("link-local");
        assertThat(policy.refusal("alibaba", InetAddress.getByName("100.100.100.200"))).contains("metadata");
        assertThat(policy.refusal("any", InetAddress.getByName("0.0.0.0"))).contains("not a host");
        assertThat(policy.refusal("ok", InetAddress.getByName("127.0.0.1"))).isNull();
        assertThat(policy.refusal("gcp6", InetAddress.getByName("fd20:ce::254"))).contains("metadata");
    }

    @Test
    void anIpv4AddressInsideAnIpv6OneIsJudgedAsItself() throws Exception {
        for (String wrapped : new String[] { "::a9fe:a9fe", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1",
                "::ffff:169.254.169.254" }) {
            assertThat(policy.refusal("wrapped", InetAddress.getByName(wrapped))).as(wrapped)
                    .contains("link-local or cloud-metadata");
        }
        assertThat(policy.refusal("nat64", InetAddress.getByName("64:ff9b::7f00:1"))).isNull();
    }
}
