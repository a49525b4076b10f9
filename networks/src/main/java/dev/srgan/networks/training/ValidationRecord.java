package dev.srgan.networks.training;

import java.util.List;

/**
 * Quality on the held-out images at a step: mean PSNR (dB) and SSIM on Y with a {@code scale}
 * pixel border cropped, for the generator and for bicubic upscaling of the same LR images.
 *
 * @param step the global step
 * @param phase "pretrain" or "gan"
 * @param contentLoss the content loss in use, "pixel-mse" or e.g. "vgg19:relu5_4"
 * @param psnr the generator's mean PSNR
 * @param ssim the generator's mean SSIM
 * @param bicubicPsnr bicubic's mean PSNR
 * @param bicubicSsim bicubic's mean SSIM
 * @param samples the first few images
 * @param seconds wall-clock seconds the validation took
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
        double seconds) {}
