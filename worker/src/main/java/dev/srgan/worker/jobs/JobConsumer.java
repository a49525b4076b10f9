package dev.srgan.worker.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.domain.jobs.JobMessage;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.worker.workers.WorkerIdentity;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * One Kafka consumer for one job type, on its own thread, in that type's consumer group.
 *
 * <p>A message is only a pointer to a job in PostgreSQL. The consumer claims the job there first,
 * then records the offset for the next commit (offsets are committed together, at most every
 * 100 ms, and before a rebalance or close), then runs the job on the same thread's executor while
 * it keeps polling with every partition paused: the consumer stays in its group however long a training job runs,
 * so a live worker never causes a rebalance or a redelivery. A crash between claim and commit is
 * harmless: the redelivered message finds the job claimed, and the claim's lease expires if its
 * worker is gone.
 */
final class JobConsumer implements Runnable {
    private static final Logger LOG = Logger.getLogger(JobConsumer.class);

    private final JobType type;
    private final KafkaSettings settings;
    private final WorkerIdentity identity;
    private final JobRunner runner;
    private final Semaphore slots;
    private final ObjectMapper json;
    private final KafkaConsumer<String, String> consumer;
    private volatile boolean running = true;
    private volatile boolean busy;
    /** Offsets of handled messages not yet committed (see {@link #commit}); consumer thread only. */
    private final Map<TopicPartition, OffsetAndMetadata> pending = new java.util.HashMap<>();

    private long lastCommit = System.nanoTime();

    JobConsumer(
            JobType type,
            KafkaSettings settings,
            WorkerIdentity identity,
            JobRunner runner,
            Semaphore slots,
            ObjectMapper json) {
        this.type = type;
        this.settings = settings;
        this.identity = identity;
        this.runner = runner;
        this.slots = slots;
        this.json = json;
        Map<String, Object> config =
                settings.clientConfig(identity.id() + "-" + type.name().toLowerCase());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.consumerGroup(type));
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, settings.sessionTimeoutMs());
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(500, settings.sessionTimeoutMs() / 5));
        if (settings.topics(type).size() > 1) {
            // a look at the single upscales alone (see #takeSingleUpscalesFirst) leaves a fetch at the
            // broker that holds back the next fetch of batch images until it returns: keep it short
            config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, PRIORITY_FETCH_WAIT_MS);
        }
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }

    /** Stops polling; the job in hand (if any) is left to the runner's own shutdown handling. */
    void stop() {
        running = false;
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(settings.topics(type), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // the partitions' next owner starts from what is committed now
                    commitPending(true);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    LOG.debugf("%s consumer assigned %s", type, partitions);
                    if (busy || slots.availablePermits() == 0) {
                        consumer.pause(partitions);
                    }
                }
            });
            long backoff = 500;
            while (running) {
                try {
                    pollOnce();
                    backoff = 500;
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // PostgreSQL or Kafka unreachable for a moment: the record was put back (or its
                    // offset never committed), so nothing is lost; wait, staying in the group, and go on.
                    LOG.warnf("%s consumer: %s; retrying in %d ms", type, e.getMessage(), backoff);
                    idle(backoff);
                    backoff = Math.min(backoff * 2, 10_000);
                }
            }
        } catch (WakeupException e) {
            // stop() was called
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s consumer stopped on an error", type);
        } finally {
            commitPending(true);
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** One poll: takes at most one job message when a job slot is free. */
    private void pollOnce() {
        commitIfDue();
        if (slots.availablePermits() == 0) {
            // Busy with another job: stay in the group without taking new work. A rebalance inside
            // this poll can assign a partition that is not paused yet: put back whatever it returns,
            // or the position would move past a message that nobody handled (and a later commit
            // of this partition would skip it for good).
            consumer.pause(consumer.assignment());
            putBack(consumer.poll(Duration.ofMillis(100)));
            return;
        }
        consumer.resume(consumer.paused());
        ConsumerRecords<String, String> records = takeSingleUpscalesFirst();
        if (records.isEmpty()) {
            records = consumer.poll(Duration.ofMillis(200));
        }
        for (ConsumerRecord<String, String> record : records) {
            // The slot is taken only once there is work: a consumer that held it while
            // polling an idle topic would starve the consumers of the other job types.
            if (!slots.tryAcquire()) {
                // another job type's consumer took the last slot: read this record again later
                consumer.seek(new TopicPartition(record.topic(), record.partition()), record.offset());
                break;
            }
            boolean handedOver = false;
            try {
                handedOver = handle(record);
            } finally {
                if (!handedOver) {
                    slots.release();
                }
            }
        }
    }

    /** How long a look at the single upscales alone waits for one. */
    static final Duration PRIORITY_LOOK = Duration.ofMillis(20);

    /** The consumer's fetch.max.wait.ms where it has a bulk topic. */
    static final int PRIORITY_FETCH_WAIT_MS = 100;

    /**
     * Where this consumer has partitions of a bulk topic (batch images), a poll with those paused
     * first: a single upscale waiting on this consumer's partitions is taken before the next image
     * of a batch, so one user's batch of hundreds does not hold up everyone's single upscale.
     * Records of the bulk topic already fetched stay buffered while it is paused, and none is
     * returned, so nothing is skipped. Returns what the look found (often nothing).
     */
    private ConsumerRecords<String, String> takeSingleUpscalesFirst() {
        List<TopicPartition> bulk = consumer.assignment().stream()
                .filter(tp -> KafkaSettings.isBulk(tp.topic()))
                .toList();
        if (bulk.isEmpty() || bulk.size() == consumer.assignment().size()) {
            return ConsumerRecords.empty();
        }
        consumer.pause(bulk);
        try {
            return consumer.poll(PRIORITY_LOOK);
        } finally {
            consumer.resume(bulk);
        }
    }

    private void idle(long ms) {
        long until = System.nanoTime() + ms * 1_000_000;
        while (running && System.nanoTime() < until) {
            consumer.pause(consumer.assignment());
            putBack(consumer.poll(Duration.ofMillis(100)));
        }
    }

    /** Seeks each partition back to the first of these records, so they are polled again later. */
    private void putBack(ConsumerRecords<String, String> records) {
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).get(0).offset());
        }
    }

    /** Returns true when a job was claimed and now runs (it releases the slot when done). */
    private boolean handle(ConsumerRecord<String, String> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        JobMessage message;
        try {
            message = json.readValue(record.value(), JobMessage.class);
        } catch (Exception e) {
            if (!deadLetter(record, e)) {
                // not acknowledged: keep the offset, so the message is read (and dead-lettered) again
                consumer.seek(tp, record.offset());
                throw new IllegalStateException("the dead-letter topic did not take the unreadable message at " + tp
                        + "@" + record.offset() + "; it is read again");
            }
            commit(tp, record.offset());
            return false;
        }
        if (!runner.accepting()) {
            // shutting down: leave the message to the worker that gets the partition next
            consumer.seek(tp, record.offset());
            return false;
        }
        java.util.Optional<java.util.concurrent.CompletableFuture<Void>> started;
        try {
            started = runner.claimAndRun(message, slots::release);
        } catch (RuntimeException e) {
            consumer.seek(tp, record.offset());
            throw e;
        }
        if (started.isEmpty() && !runner.accepting()) {
            consumer.seek(tp, record.offset());
            return false;
        }
        try {
            commit(tp, record.offset());
        } catch (org.apache.kafka.common.KafkaException e) {
            // the job is claimed in PostgreSQL: a redelivery of this message finds it taken and skips it
            LOG.warnf(
                    "committing %s-%d@%d failed (%s); the job runs anyway",
                    tp.topic(), tp.partition(), record.offset(), e.getMessage());
        }
        if (started.isEmpty()) {
            return false;
        }
        busy = true;
        consumer.pause(consumer.assignment());
        var done = started.get();
        try {
            while (running && !done.isDone()) {
                // Wait on the job itself, not in poll(): a paused poll sleeps its whole timeout, and
                // every job would end up to that long after it finished. Heartbeats come from the
                // consumer's own thread; this poll only keeps the group's poll interval and callbacks.
                try {
                    done.get(200, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    // still running, or ended (the runner has recorded how)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                // this job's own offset, so a long job does not show as lag
                commitIfDue();
                consumer.pause(consumer.assignment());
                // never drop a message: put the position back so it is polled again later
                putBack(consumer.poll(Duration.ZERO));
            }
        } finally {
            busy = false;
        }
        return true;
    }

    /** Handled offsets are committed together at most this often (and on revocation and close). */
    static final long COMMIT_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * Records a handled message's offset; offsets are committed together, asynchronously, at most
     * every {@link #COMMIT_EVERY_NANOS} (one commit per message cost the broker and the worker
     * about as much as a trivial job's own work). The claim in PostgreSQL, not the offset, decides
     * who runs a job: an offset that is committed late or lost (a crash) costs at most a
     * redelivery that finds the job taken.
     */
    private void commit(TopicPartition tp, long offset) {
        pending.merge(tp, new OffsetAndMetadata(offset + 1), (a, b) -> b.offset() > a.offset() ? b : a);
        commitIfDue();
    }

    /** Commits the pending offsets asynchronously once {@link #COMMIT_EVERY_NANOS} has passed. */
    private void commitIfDue() {
        if (!pending.isEmpty() && System.nanoTime() - lastCommit >= COMMIT_EVERY_NANOS) {
            commitPending(false);
        }
    }

    /** Commits the pending offsets; synchronously (bounded) before a rebalance or on close. */
    private void commitPending(boolean sync) {
        lastCommit = System.nanoTime();
        if (pending.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.copyOf(pending);
        pending.clear();
        try {
            if (sync) {
                consumer.commitSync(offsets, Duration.ofSeconds(5));
            } else {
                consumer.commitAsync(offsets, (committed, e) -> {
                    if (e != null) {
                        LOG.debugf(
                                "committing %s failed (%s); a redelivery will find the jobs claimed",
                                committed, e.getMessage());
                    }
                });
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            LOG.debugf("committing %s failed (%s); a redelivery will find the jobs claimed", offsets, e.getMessage());
        }
    }

    /** Writes the record to the dead-letter topic; true once the broker acknowledged it (acks=all). */
    boolean deadLetter(ConsumerRecord<String, String> record, Exception cause) {
        LOG.warnf(
                "unreadable message at %s-%d@%d sent to %s: %s",
                record.topic(), record.partition(), record.offset(), settings.deadLetterTopic(), cause.getMessage());
        Map<String, Object> config = settings.clientConfig(identity.id() + "-dead-letter");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            ProducerRecord<String, String> dead =
                    new ProducerRecord<>(settings.deadLetterTopic(), record.key(), record.value());
            dead.headers()
                    .add(
                            "srgan.source",
                            (record.topic() + "-" + record.partition() + "@" + record.offset()).getBytes());
            dead.headers().add("srgan.error", String.valueOf(cause.getMessage()).getBytes());
            producer.send(dead).get(30, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            LOG.errorf("could not write to the dead-letter topic: %s", e.getMessage());
            return false;
        }
    }
}
