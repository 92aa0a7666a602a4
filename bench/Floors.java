import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;

/**
 * The floor of one pipeline hop on this machine, with nothing of Tocsin in the way: a Kafka record produced with
 * Tocsin's producer settings (acks=all, idempotent, no linger) until a plain consumer polling as Tocsin's do has it,
 * and one PostgreSQL transaction (an insert and a commit) over JDBC. One at a time, idle, like the latency probes.
 * Run by bench/floors.sh, which prints "name p50 p99" lines in milliseconds.
 */
public class Floors {

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String jdbc = args[1];
        int samples = Integer.parseInt(args[2]);
        kafka(bootstrap, samples);
        postgres(jdbc, args.length > 3 ? args[3] : "postgres", args.length > 4 ? args[4] : "", samples);
    }

    static void kafka(String bootstrap, int samples) throws Exception {
        String topic = "tocsin.bench.floor." + System.currentTimeMillis();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Properties producerProps = new Properties();
        producerProps.put("bootstrap.servers", bootstrap);
        producerProps.put("acks", "all");
        producerProps.put("enable.idempotence", "true");
        producerProps.put("linger.ms", "0");
        Properties consumerProps = new Properties();
        consumerProps.put("bootstrap.servers", bootstrap);
        consumerProps.put("enable.auto.commit", "false");
        BlockingQueue<Long> arrivals = new ArrayBlockingQueue<>(samples + 10);
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaProducer<Long, Long> producer = new KafkaProducer<>(producerProps, new LongSerializer(),
                new LongSerializer());
                KafkaConsumer<Long, Long> consumer = new KafkaConsumer<>(consumerProps, new LongDeserializer(),
                        new LongDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            Thread poller = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        for (ConsumerRecord<Long, Long> record : consumer.poll(Duration.ofMillis(100))) {
                            arrivals.add(System.nanoTime() - record.value());
                        }
                    }
                } catch (org.apache.kafka.common.errors.InterruptException stopped) {
                    // asked to stop
                }
            });
            poller.setDaemon(true);
            poller.start();
            long[] acks = new long[samples];
            long[] hops = new long[samples];
            for (int i = 0; i < samples + 20; i++) { // the first 20 warm up
                long sent = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, (long) i, sent)).get();
                long acked = System.nanoTime() - sent;
                long hop = arrivals.poll(30, TimeUnit.SECONDS);
                if (i >= 20) {
                    acks[i - 20] = acked;
                    hops[i - 20] = hop;
                }
                TimeUnit.MILLISECONDS.sleep(20); // idle between probes, as in notify-latency
            }
            poller.interrupt();
            poller.join();
            print("kafka-produce-ack", acks);
            print("kafka-produce-to-consume", hops);
        }
    }

    static void postgres(String jdbc, String user, String password, int samples) throws Exception {
        try (Connection connection = DriverManager.getConnection(jdbc, user, password)) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS tocsin_bench_floor (id bigint primary key, at timestamptz)");
            }
            connection.setAutoCommit(false);
            long[] transactions = new long[samples];
            long[] roundTrips = new long[samples];
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tocsin_bench_floor VALUES (?, now())");
                    PreparedStatement select = connection.prepareStatement("SELECT 1")) {
                for (int i = 0; i < samples + 20; i++) {
                    long started = System.nanoTime();
                    select.executeQuery().close();
                    long roundTrip = System.nanoTime() - started;
                    started = System.nanoTime();
                    insert.setLong(1, i);
                    insert.executeUpdate();
                    connection.commit();
                    long transaction = System.nanoTime() - started;
                    if (i >= 20) {
                        roundTrips[i - 20] = roundTrip;
                        transactions[i - 20] = transaction;
                    }
                    TimeUnit.MILLISECONDS.sleep(20);
                }
            }
            connection.setAutoCommit(true);
            try (Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE tocsin_bench_floor");
            }
            print("postgres-round-trip", roundTrips);
            print("postgres-insert-commit", transactions);
        }
    }

    static void print(String name, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%s %.2f %.2f%n", name, sorted[sorted.length / 2] / 1e6,
                sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6);
    }
}
