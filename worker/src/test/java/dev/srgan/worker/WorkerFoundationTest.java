package dev.srgan.worker;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.worker.workers.WorkerIdentity;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class WorkerFoundationTest {

    @Inject
    DataSource dataSource;

    @Inject
    WorkerIdentity identity;

    @Inject
    KafkaSettings kafka;

    @Test
    void readyMeansDatabaseAndKafkaAreReachable() {
        given().when()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("kafka", "Database connections health check"));
    }

    @Test
    void workerRegistersAndHeartbeats() throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT host, pid, device, job_types, stopped_at FROM workers WHERE id = ?")) {
            ps.setString(1, identity.id());
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "worker row");
                assertEquals(ProcessHandle.current().pid(), rs.getLong("pid"));
                assertEquals("cpu", rs.getString("device"));
                assertEquals("UPSCALE,TRAINING,EVALUATE", rs.getString("job_types"));
                assertEquals(null, rs.getObject("stopped_at"));
            }
        }
    }

    @Test
    void workerJoinsTheConsumerGroupOfEachJobType() throws Exception {
        try (Admin admin = Admin.create(kafka.clientConfig("test-admin"))) {
            for (JobType type : JobType.queued()) {
                String group = kafka.consumerGroup(type);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                int members = 0;
                while (System.nanoTime() < deadline) {
                    try {
                        ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group))
                                .describedGroups()
                                .get(group)
                                .get(10, TimeUnit.SECONDS);
                        members = d.members().size();
                        if (members == 1
                                && d.members()
                                                .iterator()
                                                .next()
                                                .assignment()
                                                .topicPartitions()
                                                .size()
                                        == kafka.partitions()) {
                            break;
                        }
                    } catch (ExecutionException e) {
                        // the group does not exist until the consumer's first join completes
                    }
                    Thread.sleep(250);
                }
                assertEquals(1, members, "members of " + group);
            }
        }
    }
}
