package dev.srgan.networks.bench;

/**
 * Floating-point operations of the SRGAN networks, counted from their layers (a multiply-add is
 * two operations; convolutions dominate, so PReLU, BatchNorm, additions and the activation
 * functions are left out, which makes the achieved GFLOP/s slightly conservative).
 */
public final class Flops {
    private Flops() {}

    static double conv(int cin, int cout, int k, long outPixels) {
        return 2.0 * cin * cout * k * k * outPixels;
    }

    /** One generator forward pass on a {@code w x h} input. */
    public static double generator(int w, int h, int scale, int blocks) {
        long px = (long) w * h;
        double f = conv(3, 64, 9, px); // conv9x9 head
        f += blocks * 2 * conv(64, 64, 3, px); // residual blocks
        f += conv(64, 64, 3, px); // conv after the blocks
        long p = px;
        for (int s = scale; s > 1; s /= 2) { // upsample blocks: conv 64->256, then shuffle x2
            f += conv(64, 256, 3, p);
            p *= 4;
        }
        f += conv(64, 3, 9, p); // conv9x9 tail at output resolution
        return f;
    }

    /** One discriminator forward pass on an {@code s x s} image. */
    public static double discriminator(int size) {
        long s = size;
        double f = conv(3, 64, 3, s * s);
        int[][] layers = {
            {64, 64, 2}, {64, 128, 1}, {128, 128, 2}, {128, 256, 1}, {256, 256, 2}, {256, 512, 1}, {512, 512, 2}
        };
        for (int[] l : layers) {
            s = (s + l[2] - 1) / l[2];
            f += conv(l[0], l[1], 3, s * s);
        }
        f += 2.0 * 512 * 1024 + 2.0 * 1024; // the two 1x1 convs after pooling
        return f;
    }

    /**
     * One GAN training step as {@code TrainingRun} runs it: G forward on the LR batch once (its
     * output serves both steps); D's step: D forward on HR and on G(LR) detached, backward through
     * both (weights and inputs, about twice the forward); G's step: D forward on G(LR), backward
     * through D for the input gradient only (D's weights take no gradient then, about one forward)
     * and through G (about twice its forward). The loss's own arithmetic is left out.
     */
    public static double ganStep(int batch, int hrCrop, int scale, int blocks) {
        int lr = hrCrop / scale;
        double g = batch * generator(lr, lr, scale, blocks);
        double d = batch * discriminator(hrCrop);
        double dStep = 2 * d + 2 * (2 * d); // D(HR) + D(G(LR)) forward and backward
        double gStep = d + d + 2 * g; // D(G(LR)) forward, its input gradient, G's backward
        return g + dStep + gStep;
    }

    /**
     * One SRResNet (pre-training) step: G forward on the LR batch and G's backward (about twice its
     * forward); the pixel MSE is left out.
     */
    public static double pretrainStep(int batch, int hrCrop, int scale, int blocks) {
        int lr = hrCrop / scale;
        return 3 * batch * generator(lr, lr, scale, blocks);
    }
}
