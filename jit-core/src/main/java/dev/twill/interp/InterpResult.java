package dev.twill.interp;

import dev.twill.ir.TrapCode;
import java.util.Arrays;

/**
 * The outcome of an interpreted call: the returned values, a trap, or "out of fuel" when the
 * step limit ran out (a status no IR trap code can produce, so a runaway random program is never
 * mistaken for a trapping one).
 *
 * <p>Values are raw bits: integers zero-extended to 64 bits from their width, {@code f32} as its
 * raw bits in the low 32, {@code f64} as its raw bits.
 */
public final class InterpResult {
    public enum Status { RETURNED, TRAPPED, OUT_OF_FUEL }

    private static final InterpResult OUT_OF_FUEL = new InterpResult(Status.OUT_OF_FUEL, null, -1);
    private static final long[] NONE = new long[0];

    private final Status status;
    private final long[] values;
    private final int trapCode;

    private InterpResult(Status status, long[] values, int trapCode) {
        this.status = status;
        this.values = values;
        this.trapCode = trapCode;
    }

    /** A normal return of {@code values} (the array is taken over, not copied). */
    public static InterpResult returning(long... values) {
        return new InterpResult(Status.RETURNED, values == null ? NONE : values, -1);
    }

    /** A trap with a {@link TrapCode}. */
    public static InterpResult trap(int code) {
        return new InterpResult(Status.TRAPPED, null, code);
    }

    public static InterpResult outOfFuel() {
        return OUT_OF_FUEL;
    }

    public Status status() {
        return status;
    }

    public boolean returned() {
        return status == Status.RETURNED;
    }

    public boolean trapped() {
        return status == Status.TRAPPED;
    }

    public boolean isOutOfFuel() {
        return status == Status.OUT_OF_FUEL;
    }

    /** The trap code; only for a trap. */
    public int trapCode() {
        if (status != Status.TRAPPED) throw new IllegalStateException("not a trap: " + this);
        return trapCode;
    }

    /** The number of returned values; only for a return. */
    public int count() {
        requireReturned();
        return values.length;
    }

    /** Returned value {@code i} as raw bits; only for a return. */
    public long value(int i) {
        requireReturned();
        return values[i];
    }

    /** A copy of the returned values; only for a return. */
    public long[] values() {
        requireReturned();
        return values.clone();
    }

    private void requireReturned() {
        if (status != Status.RETURNED) throw new IllegalStateException("no values: " + this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InterpResult r && r.status == status && r.trapCode == trapCode
                && Arrays.equals(r.values, values);
    }

    @Override
    public int hashCode() {
        return status.hashCode() * 31 + trapCode * 17 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        switch (status) {
            case TRAPPED: return "trap(" + TrapCode.name(trapCode) + ")";
            case OUT_OF_FUEL: return "out_of_fuel";
            default:
                StringBuilder sb = new StringBuilder("values[");
                for (int i = 0; i < values.length; i++) {
                    if (i > 0) sb.append(", ");
                    sb.append("0x").append(Long.toHexString(values[i]));
                }
                return sb.append(']').toString();
        }
    }
}
