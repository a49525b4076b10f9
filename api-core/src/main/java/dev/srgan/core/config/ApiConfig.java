package dev.srgan.core.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every {@code srgan.*} setting of the api, with its default: the one place each default lives.
 * (Kafka's topic settings, shared with the worker, are the platform's {@code KafkaConfig}.) Each
 * key can also be set as an environment variable ({@code srgan.upload.max-bytes} ->
 * {@code SRGAN_UPLOAD_MAX_BYTES}). docs/configuration.md lists them all; {@code
 * ConfigurationDocsTest} keeps the two in step.
 */
@ConfigMapping(prefix = "srgan")
public interface ApiConfig {

    /** {@code srgan.bootstrap-admin-token}: registered as the first admin token at start while no admin token exists. */
    Optional<String> bootstrapAdminToken();

    /** {@code srgan.auth.*}. */
    Auth auth();

    /** {@code srgan.upload.*}. */
    Upload upload();

    /** {@code srgan.upscale.*}. */
    Upscale upscale();

    /** {@code srgan.dataset.*}. */
    Dataset dataset();

    /** {@code srgan.training.*}. */
    Training training();

    /** {@code srgan.quota.*}. */
    Quota quota();

    /** {@code srgan.reaper.*}. */
    Reaper reaper();

    /** {@code srgan.retention.*}. */
    Retention retention();

    /** {@code srgan.outbox.*}. */
    Outbox outbox();

    /** {@code srgan.webhooks.*}. */
    Webhooks webhooks();

    /** {@code srgan.models.*}. */
    Models models();

    /** {@code srgan.metrics.*}. */
    Metrics metrics();

    /** {@code srgan.dashboard.*}. */
    Dashboard dashboard();

    /** Who may call the API and the dashboard. */
    interface Auth {
        /** Require a token; false lets everyone in as admin. */
        @WithDefault("true")
        boolean enabled();

        /** {@code /q/metrics} without a token; false requires a bearer token of any role. */
        @WithDefault("true")
        boolean metricsPublic();
    }

    /** The largest upload the api takes; the HTTP body limit follows it ({@code UploadBodyLimit}). */
    interface Upload {
        /** The default of {@link #maxBytes()}: 50 MiB. */
        String DEFAULT_MAX_BYTES = "52428800";

        /** The largest image, dataset or model upload, in bytes. */
        @WithDefault(DEFAULT_MAX_BYTES)
        long maxBytes();

        /** What one batch upscale may hold, on top of the limits of each image. */
        Batch batch();

        /** The limits of {@code POST /api/upscale/batch}; the whole request is also held to {@link #maxBytes()}. */
        interface Batch {
            /** The most images in one batch. */
            @WithDefault("100")
            int maxImages();

            /** The most input pixels all images of a batch add up to. */
            @WithDefault("100000000")
            long maxTotalPixels();
        }
    }

    /** Limits of an upscale, checked at submission. */
    interface Upscale {
        /** The largest input in pixels, read from the image header before decoding. */
        @WithDefault("16000000")
        long maxInputPixels();

        /** The largest output in pixels: the model's (input pixels x scale^2), and the final size after outscale or width. */
        @WithDefault("67108864")
        long maxOutputPixels();

        /**
         * The hosts an {@code imageUrl} may name (exact host names or addresses, or {@code *} for
         * any); unset, image URLs are refused, so a token cannot make the api fetch from inside the
         * cluster's network unless an admin allowed it.
         */
        Optional<List<String>> urlHosts();

        /** How long fetching one image URL may take, from connecting to its last byte. */
        @WithDefault("30s")
        Duration urlTimeout();
    }

    /** Limits of a dataset zip, checked at upload. */
    interface Dataset {
        /** The most entries in a zip. */
        @WithDefault("10000")
        int maxEntries();

        /** The most bytes a zip may unpack to. */
        @WithDefault("2147483648")
        long maxUncompressedBytes();

        /** The most pixels a dataset's images may add up to. */
        @WithDefault("400000000")
        long maxTotalPixels();
    }

    /** Training runs and sweeps. */
    interface Training {
        /** A TorchScript VGG19 feature extractor; unset, a run's content loss must be pixel-mse. */
        Optional<String> vgg19Path();

        /** Hyperparameter sweeps. */
        Sweep sweep();

        /** How large a sweep may be. */
        interface Sweep {
            /** The most grid points (training jobs) of one sweep. */
            @WithDefault("16")
            int maxRuns();
        }
    }

    /** How much of the cluster one submitter may take at once. */
    interface Quota {
        /**
         * The most jobs one submitter (a token's name) may have QUEUED or RUNNING at once, an image
         * of a batch and a run of a sweep each counting as one; a submission past it gets 429.
         * Unset: no limit. A token's own {@code maxActiveJobs} (POST/PATCH /api/tokens) overrides it.
         */
        Optional<Integer> activeJobs();
    }

    /** The lease reaper. */
    interface Reaper {
        /** How often expired worker leases are looked for (read by the scheduler as {@code ${srgan.reaper.interval}}). */
        @WithDefault("5s")
        Duration interval();
    }

    /** How long finished jobs are kept before the api deletes them with all they stored. */
    interface Retention {
        /**
         * Finished upscales and batches (with their images) older than this are deleted; unset keeps
         * them until someone deletes them. Training runs, sweeps and evaluations are never deleted
         * on their own.
         */
        Optional<Duration> upscales();

        /** How often expired jobs are looked for (read by the scheduler as {@code ${srgan.retention.interval}}). */
        @WithDefault("10m")
        Duration interval();
    }

    /** Jobs POSTed to a URL of the submitter's when they end. */
    interface Webhooks {
        /**
         * The hosts a webhookUrl may name (exact host names or addresses, or {@code *} for any);
         * unset, webhooks are refused, so an operator's token cannot make the api call into the
         * cluster's own network unless an admin allowed it.
         */
        Optional<List<String>> allowedHosts();

        /** Signs each delivery: {@code X-Srgan-Signature: sha256=HMAC(secret, timestamp + "." + body)}. */
        Optional<String> secret();

        /** How long one delivery may take (connect and answer). */
        @WithDefault("10s")
        Duration timeout();

        /** Sends of one delivery before it is given up. */
        @WithDefault("8")
        int maxAttempts();

        /** The wait before the first resend; it doubles after each failed one, up to an hour. */
        @WithDefault("10s")
        Duration backoff();
    }

    /** The outbox relay. */
    interface Outbox {
        /** Run the relay in this api instance. */
        @WithDefault("true")
        boolean enabled();
    }

    /** Models. */
    interface Models {
        /** Register the models shipped in models/ at start. */
        @WithDefault("true")
        boolean registerShipped();
    }

    /** Metrics. */
    interface Metrics {
        /** How long the job-state gauges reuse one count of the jobs table. */
        @WithDefault("10s")
        Duration cache();
    }

    /** The dashboard. */
    interface Dashboard {
        /** How long the Overview page waits for Kafka's consumer lag. */
        @WithDefault("1500ms")
        Duration lagTimeout();

        /** How long one reading of the consumer lag is reused. */
        @WithDefault("5s")
        Duration lagCache();
    }
}
