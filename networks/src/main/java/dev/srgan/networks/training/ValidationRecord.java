package dev.srgan.networks.training;

import java.util.List;

/**
 * Quality on the held-out images at a step: mean PSNR (dB) and SSIM on Y with a {@code scale}
 * pixel border cropped, for the generator and for bicubic upscaling of the same LR images, and
 * mean NIQE (no reference, lower is more natural) of both with the same border cropped, over the
 * images large enough to be scored ({@link dev.srgan.networks.metrics.Niqe#measurable}).
 *
 * @param step the global step
 * @param phase "pretrain" or "gan" ({@link Phase#storedName()})
 * @param contentLoss the content loss in use, "pixel-mse" or e.g. "vgg19:relu5_4"
 * @param psnr the generator's mean PSNR
 * @param ssim the generator's mean SSIM
 * @param bicubicPsnr bicubic's mean PSNR
 * @param bicubicSsim bicubic's mean SSIM
 * @param samples the first few images
 * @param seconds wall-clock seconds the validation took
 * @param niqe the generator's mean NIQE; null when no validation image could be scored
 * @param bicubicNiqe bicubic's mean NIQE on the same images; null when no image could be scored
 */
public record ValidationRecord(
        long step,
        String phase,
        String contentLoss,
        double psnr,
        double ssim,
        double bicubicPsnr,
        double bicubicSsim,
        List<ValidationSample> samples,
        double seconds,
        Double niqe,
        Double bicubicNiqe) {}
