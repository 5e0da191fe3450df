package dev.twill.wasm.binary;

import java.util.Arrays;

/** A function type {@code [params] -> [results]}; equal by structure (WebAssembly 2.0 §2.3.3). */
public final class FuncType {
    public final byte[] params;
    public final byte[] results;

    public FuncType(byte[] params, byte[] results) {
        this.params = params;
        this.results = results;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FuncType f && Arrays.equals(params, f.params) && Arrays.equals(results, f.results);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(params) * 31 + Arrays.hashCode(results);
    }

    /** {@code (i32, i64) -> (f32)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < params.length; i++) sb.append(i == 0 ? "" : ", ").append(ValType.name(params[i]));
        sb.append(") -> (");
        for (int i = 0; i < results.length; i++) sb.append(i == 0 ? "" : ", ").append(ValType.name(results[i]));
        return sb.append(')').toString();
    }
}
