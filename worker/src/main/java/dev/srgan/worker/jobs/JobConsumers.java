package dev.srgan.worker.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.platform.TopicSetup;
import dev.srgan.worker.config.WorkerConfig;
import dev.srgan.worker.workers.WorkerIdentity;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.jboss.logging.Logger;

/**
 * Starts one consumer per job type this worker takes, sharing {@code srgan.worker.concurrency}
 * slots (one job at a time per device by default), and stops them on shutdown.
 */
@ApplicationScoped
public class JobConsumers {
    private static final Logger LOG = Logger.getLogger(JobConsumers.class);

    @Inject
    WorkerConfig config;

    @Inject
    KafkaSettings settings;

    @Inject
    TopicSetup topics;

    @Inject
    WorkerIdentity identity;

    @Inject
    JobRunner runner;

    @Inject
    ObjectMapper json;

    private final List<JobConsumer> consumers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    void onStart(@Observes StartupEvent event) {
        Thread starter = new Thread(
                () -> {
                    try {
                        topics.ensureTopics(120_000);
                    } catch (Exception e) {
                        LOG.warnf("could not ensure topics (%s); subscribing anyway", e.getMessage());
                    }
                    Semaphore slots = new Semaphore(Math.max(1, config.concurrency()));
                    synchronized (consumers) {
                        for (JobType type : config.jobTypes()) {
                            JobConsumer consumer = new JobConsumer(type, settings, identity, runner, slots, json);
                            Thread t = new Thread(
                                    consumer, "srgan-consumer-" + type.name().toLowerCase());
                            consumers.add(consumer);
                            threads.add(t);
                            t.start();
                        }
                    }
                },
                "srgan-consumers-start");
        starter.setDaemon(true);
        starter.start();
    }

    /**
     * First of the shutdown observers: the job in hand finishes or checkpoints while heartbeats
     * still renew its lease and the database is still there; then the consumers leave their groups.
     */
    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        // finish or checkpoint the job in hand first, then leave the consumer groups
        runner.shutdown(config.shutdownGrace());
        synchronized (consumers) {
            consumers.forEach(JobConsumer::stop);
        }
        for (Thread t : threads) {
            try {
                t.join(120_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
