package dev.twill.isa.x64;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The optional x86-64 instruction-set extensions lowering may use: {@code lzcnt} (CPUID flag
 * ABM/LZCNT), {@code tzcnt} (BMI1), {@code popcnt}, and SSE4.1 ({@code roundss/roundsd}).
 * Without them lowering falls back to bsr/bsf and bit-twiddling sequences, and to a rounding
 * sequence built from conversions.
 *
 * <p>{@link #host()} reads the flags of the machine once, from the {@code flags} line of {@code
 * /proc/cpuinfo} (Linux, the only host Twill runs on); if that file cannot be read, it assumes
 * the x86-64 baseline (none of the extensions), which is always correct, only slower.
 */
public record X64Features(boolean lzcnt, boolean tzcnt, boolean popcnt, boolean sse41) {
    /** The x86-64 baseline: SSE2 only. */
    public static final X64Features BASELINE = new X64Features(false, false, false, false);
    /** Everything this back end can use. */
    public static final X64Features ALL = new X64Features(true, true, true, true);

    private static volatile X64Features host;

    /** The features of the machine we run on. */
    public static X64Features host() {
        X64Features h = host;
        if (h == null) host = h = probe();
        return h;
    }

    private static volatile int hostFma = -1;

    /**
     * True if the machine has FMA3 ({@code vfmadd231ss/sd}), the {@code fma} CPUID flag; a separate
     * probe so that the record's components, which callers construct, stay as they are.
     */
    public static boolean hostFma() {
        int h = hostFma;
        if (h < 0) {
            h = 0;
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (!line.startsWith("flags")) continue;
                    h = (" " + line.substring(line.indexOf(':') + 1).trim() + " ").contains(" fma ") ? 1 : 0;
                    break;
                }
            } catch (IOException | RuntimeException e) {
                // the baseline: no FMA3
            }
            hostFma = h;
        }
        return h == 1;
    }

    private static X64Features probe() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (!line.startsWith("flags")) continue;
                String flags = " " + line.substring(line.indexOf(':') + 1).trim() + " ";
                return new X64Features(flags.contains(" abm ") || flags.contains(" lzcnt "), flags.contains(" bmi1 "),
                        flags.contains(" popcnt "), flags.contains(" sse4_1 "));
            }
        } catch (IOException | RuntimeException e) {
            // fall through: the baseline is always safe
        }
        return BASELINE;
    }
}
