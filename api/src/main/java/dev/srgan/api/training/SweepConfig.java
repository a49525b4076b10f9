package dev.srgan.api.training;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code srgan.training.sweep.*}: how large a hyperparameter sweep may be. The one place for its default. */
@ConfigMapping(prefix = "srgan.training.sweep")
public interface SweepConfig {

    /** {@code srgan.training.sweep.max-runs}: the most grid points (training jobs) one sweep may have. */
    @WithDefault("16")
    int maxRuns();
}
