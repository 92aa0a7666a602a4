package io.tocsin.notifier.channel.email;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.tocsin.notifier.channel.SendResult;

class EmailFailuresTest {

    @Test
    void aRefusedMailboxIsFinalAndAnOutageIsRetried() {
        assertThat(EmailChannel.failed(new RuntimeException("550 5.1.1 <nobody@example.com>: User unknown")))
                .isInstanceOf(SendResult.Failed.class);
        assertThat(EmailChannel.failed(new RuntimeException("451 4.7.1 Greylisted, try again later")))
                .isInstanceOf(SendResult.Retry.class);
        assertThat(EmailChannel.failed(new java.net.ConnectException("Connection refused")))
                .isInstanceOf(SendResult.Retry.class);
        assertThat(EmailChannel.failed(new RuntimeException((String) null))).isInstanceOf(SendResult.Retry.class);
    }
}
