package dev.srgan.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedServicesTest {

    @Test
    void servicesStartServeAndKeepTheirDataAcrossARestart(@TempDir Path dataDir) throws Exception {
        long firstPid;
        try (ServicesProcess services = ServicesProcess.start(dataDir)) {
            firstPid = services.pid();
            try (Connection c = DriverManager.getConnection(services.jdbcUrl(), services.dbUser(), "");
                    Statement st = c.createStatement()) {
                st.execute("CREATE TABLE survivors (name text)");
                st.execute("INSERT INTO survivors VALUES ('first run')");
                try (ResultSet rs = st.executeQuery("SHOW server_version")) {
                    rs.next();
                    assertTrue(rs.getString(1).startsWith("17."), "PostgreSQL 17, got " + rs.getString(1));
                }
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", services.kafkaBootstrap()))) {
                admin.createTopics(List.of(new NewTopic("survivors", 3, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("survivors", "k", "first run"))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        assertFalse(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false), "services process stopped");

        try (ServicesProcess services = ServicesProcess.start(dataDir)) {
            try (Connection c = DriverManager.getConnection(services.jdbcUrl(), services.dbUser(), "");
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT name FROM survivors")) {
                assertTrue(rs.next());
                assertEquals("first run", rs.getString(1));
            }
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "test");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            List<String> seen = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer =
                    new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("survivors"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (seen.isEmpty() && System.nanoTime() < deadline) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                    records.forEach(r -> seen.add(r.value()));
                }
            }
            assertEquals(List.of("first run"), seen);
        }
    }

    @Test
    void postgresIsDurableForUsersAndFastForTests(@TempDir Path dataDir) throws Exception {
        // ./srgan up: fsync and synchronous commits on, so an acknowledged submission survives a crash
        try (PostgresServer pg = PostgresServer.start(dataDir.resolve("durable"), Preflight.freePort(), null, true)) {
            assertEquals(List.of("on", "on"), settings(pg));
        }
        // the test suite's services: the embedded library's fast settings
        try (PostgresServer pg = PostgresServer.start(dataDir.resolve("fast"), Preflight.freePort(), null, false)) {
            assertEquals(List.of("off", "off"), settings(pg));
        }
    }

    private static List<String> settings(PostgresServer pg) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), PostgresServer.USER, "");
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT current_setting('fsync'), current_setting('synchronous_commit')")) {
            rs.next();
            return List.of(rs.getString(1), rs.getString(2));
        }
    }
}
