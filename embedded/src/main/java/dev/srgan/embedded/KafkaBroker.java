package dev.srgan.embedded;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one node), run from the
 * Kafka jars in this JVM. The log dir is formatted once; later starts reuse it, so topics and
 * committed offsets survive a restart.
 */
public final class KafkaBroker implements AutoCloseable {
    private final KafkaRaftServer server;
    private final int port;

    private KafkaBroker(KafkaRaftServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Formats the log dir on first use, starts the broker and waits until it answers clients. */
    public static KafkaBroker start(Path dataDir, int port, int controllerPort) {
        try {
            Files.createDirectories(dataDir);
            Properties props = serverProperties(dataDir, port, controllerPort);
            Path propsFile = dataDir.resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(propsFile)) {
                props.store(out, "written by srgan on every start; edit the launcher, not this file");
            }
            if (!Files.exists(dataDir.resolve("meta.properties"))) {
                format(propsFile);
            }
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            KafkaBroker broker = new KafkaBroker(server, port);
            broker.awaitReady();
            return broker;
        } catch (LaunchException e) {
            throw e;
        } catch (Exception e) {
            throw new LaunchException(
                    "Kafka did not start on port " + port + " with data in " + dataDir + ": "
                            + Preflight.describe(PostgresServer.rootCause(e)),
                    e);
        }
    }

    static Properties serverProperties(Path dataDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        p.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", dataDir.toAbsolutePath().toString());
        p.put("num.partitions", "12");
        p.put("auto.create.topics.enable", "false");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "12");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.flush.interval.messages", "1");
        return p;
    }

    private static void format(Path propsFile) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(
                    new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", propsFile.toString()}, out);
        }
        if (rc != 0) {
            throw new LaunchException("formatting the Kafka log dir failed: "
                    + buffer.toString(StandardCharsets.UTF_8).trim());
        }
    }

    private void awaitReady() throws Exception {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60000);
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        }
    }

    public int port() {
        return port;
    }

    /** The bootstrap address clients use. */
    public String bootstrapServers() {
        return "localhost:" + port;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
