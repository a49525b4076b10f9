package dev.srgan.networks.training;

/**
 * How a run ended.
 *
 * @param lastStep the last completed global step
 * @param cancelled whether the listener cancelled it
 * @param contentLoss the content loss used, "pixel-mse" or e.g. "vgg19:relu5_4"
 * @param lastValidation the latest validation, or null if none ran
 */
public record TrainingResult(long lastStep, boolean cancelled, String contentLoss, ValidationRecord lastValidation) {}
