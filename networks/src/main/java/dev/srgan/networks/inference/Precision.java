package dev.srgan.networks.inference;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The number format a generator computes in on the CPU. {@link #FLOAT32} is the reference;
 * {@link #BFLOAT16} runs the convolutions on the CPU's bfloat16 instructions ({@link ScriptedGenerator})
 * and needs a CPU that has them; {@link #AUTO} picks one by what the CPU offers. Measured
 * (docs/benchmarks.md, "bfloat16 on the CPU"): about 2x float32's speed on an AMD EPYC with
 * AVX512-BF16, 4-5x on an Intel Xeon with AMX, and within 0.011 dB PSNR(Y) of float32 on the
 * evaluation photos at 2x, 4x and 8x on both. On a GPU device the
 * generators run in float32 (AUTO) and BFLOAT16 is refused: nothing was measured there through DJL.
 */
public enum Precision {
    /** BFLOAT16 where the CPU has bfloat16 instructions, else FLOAT32; see {@link #resolve()}. */
    AUTO,
    /** Float32 throughout. */
    FLOAT32,
    /** Bfloat16 convolutions (float32 accumulation), float32 in and out. */
    BFLOAT16;

    /** The /proc/cpuinfo flags that give oneDNN bfloat16 convolution kernels. */
    static final List<String> BFLOAT16_FLAGS = List.of("avx512_bf16", "amx_bf16");

    /**
     * Parses {@code auto}, {@code float32} or {@code bfloat16} (any case).
     *
     * @throws IllegalArgumentException for anything else, naming the allowed values
     */
    public static Precision parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("precision must be auto, float32 or bfloat16, not " + value);
        }
    }

    /**
     * Returns the precision to run: FLOAT32 or BFLOAT16, never AUTO.
     *
     * @throws IllegalStateException for BFLOAT16 on a CPU without bfloat16 instructions
     */
    public Precision resolve() {
        return resolve(cpuFlags());
    }

    /**
     * Like {@link #resolve()} for a generator on {@code device}: AUTO is FLOAT32 off the CPU.
     *
     * @throws IllegalStateException for BFLOAT16 on a GPU, or on a CPU without bfloat16 instructions
     */
    public Precision resolve(Device device) {
        if (device.isGpu()) {
            if (this == BFLOAT16) {
                throw new IllegalStateException("bfloat16 runs on the CPU only; " + device + " runs float32");
            }
            return FLOAT32;
        }
        return resolve();
    }

    /** {@link #resolve()} on a CPU with these /proc/cpuinfo flags. */
    Precision resolve(List<String> flags) {
        return switch (this) {
            case AUTO -> hasBfloat16(flags) ? BFLOAT16 : FLOAT32;
            case FLOAT32 -> FLOAT32;
            case BFLOAT16 -> {
                if (!hasBfloat16(flags)) {
                    throw new IllegalStateException("bfloat16 needs a CPU with one of " + BFLOAT16_FLAGS
                            + " in /proc/cpuinfo; this one has none");
                }
                yield BFLOAT16;
            }
        };
    }

    /** Returns the lower-case name used in configuration. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True if /proc/cpuinfo lists one of {@link #BFLOAT16_FLAGS}. */
    public static boolean cpuHasBfloat16() {
        return hasBfloat16(cpuFlags());
    }

    /** True if {@code flags} (as /proc/cpuinfo lists them) include one of {@link #BFLOAT16_FLAGS}. */
    static boolean hasBfloat16(List<String> flags) {
        return BFLOAT16_FLAGS.stream().anyMatch(flags::contains);
    }

    /** The CPU's flags from /proc/cpuinfo; empty where there is none. */
    static List<String> cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags") && line.contains(":")) {
                    return Arrays.asList(
                            line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                }
            }
        } catch (IOException e) {
            // not Linux: no flags known, float32
        }
        return List.of();
    }
}
