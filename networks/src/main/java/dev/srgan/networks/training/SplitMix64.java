package dev.srgan.networks.training;

/**
 * A tiny random generator whose whole state is one long, so checkpoints can store it and a
 * resumed run draws the same crops and flips as an uninterrupted one (Steele et al. 2014).
 */
final class SplitMix64 implements java.util.random.RandomGenerator {

    private long state;

    SplitMix64(long state) {
        this.state = state;
    }

    long state() {
        return state;
    }

    @Override
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Returns a value in [0, bound); this generator's own reduction, which checkpoints depend on. */
    @Override
    public int nextInt(int bound) {
        return (int) ((nextLong() >>> 1) % bound);
    }

    @Override
    public boolean nextBoolean() {
        return nextLong() < 0;
    }

    /** Returns a value in [0, 1) with 53 random bits. */
    @Override
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Returns a standard normal value (Box-Muller; two draws per value, none kept for the next call). */
    @Override
    public double nextGaussian() {
        double u = 1 - nextDouble();
        double v = nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
