package dev.twill.runtime;

import dev.twill.ir.Function;
import dev.twill.ir.text.Parser;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The well-known runtime functions IR may call by name without defining them, as Cranelift's
 * libcalls: {@code fn0 = %CeilF32(f32) -> f32} then {@code call fn0(v0)}, or its address through
 * {@code func_addr} and {@code call_indirect}. Twill supplies each as an IR function of that
 * name, so the interpreter and the back ends run the very same definition and a native run can
 * be checked against the interpreter like any other code.
 *
 * <p>Semantics (pointers are i64, memory is accessed byte by byte as {@code uload8}/{@code
 * istore8} do, so a bad address traps {@code heap_oob} in the interpreter):
 * <ul>
 *   <li>{@code CeilF32 CeilF64 FloorF32 FloorF64 TruncF32 TruncF64 NearestF32 NearestF64}: the
 *       IR instruction of that name ({@code nearest} rounds half to even);
 *   <li>{@code FmaF32 FmaF64 (x, y, z)}: {@code fma}, {@code x * y + z} rounded once;
 *   <li>{@code Memcpy(dst, src, n) -> dst}: copies n bytes upwards (overlap copies what the
 *       upward walk reads); {@code Memmove(dst, src, n) -> dst}: copies n bytes as if through a
 *       buffer (downwards when {@code dst} lies above {@code src}); {@code Memset(dst, c: i32,
 *       n) -> dst}: stores the low byte of c n times;
 *   <li>{@code Memcmp(a, b, n) -> i32}: 0 if the n bytes are equal, else the first differing
 *       byte of a minus that of b, both unsigned (so the sign orders the buffers).
 * </ul>
 * A name a module defines itself is that module's function, never the libcall.
 */
public enum LibCall {
    CEIL_F32("CeilF32", unaryFloat("CeilF32", "f32", "ceil")),
    CEIL_F64("CeilF64", unaryFloat("CeilF64", "f64", "ceil")),
    FLOOR_F32("FloorF32", unaryFloat("FloorF32", "f32", "floor")),
    FLOOR_F64("FloorF64", unaryFloat("FloorF64", "f64", "floor")),
    TRUNC_F32("TruncF32", unaryFloat("TruncF32", "f32", "trunc")),
    TRUNC_F64("TruncF64", unaryFloat("TruncF64", "f64", "trunc")),
    NEAREST_F32("NearestF32", unaryFloat("NearestF32", "f32", "nearest")),
    NEAREST_F64("NearestF64", unaryFloat("NearestF64", "f64", "nearest")),
    FMA_F32("FmaF32", fma("f32")),
    FMA_F64("FmaF64", fma("f64")),
    MEMCPY("Memcpy", """
            function %Memcpy(i64, i64, i64) -> i64 {
            block0(v0: i64, v1: i64, v2: i64):
                jump block1(v0, v1, v2)
            block1(v3: i64, v4: i64, v5: i64):
                brif v5, block2, block3
            block2:
                v6 = uload8.i32 v4
                istore8 v6, v3
                v7 = iadd_imm v3, 1
                v8 = iadd_imm v4, 1
                v9 = iadd_imm v5, -1
                jump block1(v7, v8, v9)
            block3:
                return v0
            }
            """),
    MEMMOVE("Memmove", """
            function %Memmove(i64, i64, i64) -> i64 {
            block0(v0: i64, v1: i64, v2: i64):
                v3 = icmp ugt v0, v1
                brif v3, block4(v2), block1(v0, v1, v2)
            block1(v4: i64, v5: i64, v6: i64):
                brif v6, block2, block3
            block2:
                v7 = uload8.i32 v5
                istore8 v7, v4
                v8 = iadd_imm v4, 1
                v9 = iadd_imm v5, 1
                v10 = iadd_imm v6, -1
                jump block1(v8, v9, v10)
            block4(v11: i64):
                brif v11, block5, block3
            block5:
                v12 = iadd_imm v11, -1
                v13 = iadd v1, v12
                v14 = uload8.i32 v13
                v15 = iadd v0, v12
                istore8 v14, v15
                jump block4(v12)
            block3:
                return v0
            }
            """),
    MEMSET("Memset", """
            function %Memset(i64, i32, i64) -> i64 {
            block0(v0: i64, v1: i32, v2: i64):
                jump block1(v0, v2)
            block1(v3: i64, v4: i64):
                brif v4, block2, block3
            block2:
                istore8 v1, v3
                v5 = iadd_imm v3, 1
                v6 = iadd_imm v4, -1
                jump block1(v5, v6)
            block3:
                return v0
            }
            """),
    MEMCMP("Memcmp", """
            function %Memcmp(i64, i64, i64) -> i32 {
            block0(v0: i64, v1: i64, v2: i64):
                jump block1(v0, v1, v2)
            block1(v3: i64, v4: i64, v5: i64):
                brif v5, block2, block3
            block2:
                v6 = uload8.i32 v3
                v7 = uload8.i32 v4
                v8 = isub v6, v7
                brif v8, block4, block5
            block5:
                v9 = iadd_imm v3, 1
                v10 = iadd_imm v4, 1
                v11 = iadd_imm v5, -1
                jump block1(v9, v10, v11)
            block4:
                return v8
            block3:
                v12 = iconst.i32 0
                return v12
            }
            """);

    /** The IR name calls use, with its sigil ({@code %CeilF32}). */
    public final String irName;
    private final String text;

    private static final Map<String, LibCall> BY_IR_NAME = new HashMap<>();

    static {
        for (LibCall c : values()) BY_IR_NAME.put(c.irName, c);
    }

    LibCall(String name, String text) {
        this.irName = "%" + name;
        this.text = text;
    }

    /** The libcall an IR function name ({@code %CeilF32}) refers to, or null. */
    public static LibCall byIrName(String name) {
        return BY_IR_NAME.get(name);
    }

    /** A fresh copy of the definition, at the memory level (callers may legalize or change it). */
    public Function body() {
        return Parser.parseFunction(text, "libcall " + irName);
    }

    /**
     * The definitions of the libcalls that {@code functions} call or take the address of but do
     * not define themselves, each once.
     */
    public static List<Function> missingFrom(List<Function> functions) {
        Map<String, Function> needed = new LinkedHashMap<>();
        Set<String> defined = new HashSet<>();
        for (Function f : functions) defined.add(f.name);
        for (Function f : functions) {
            for (int k = 0; k < f.extFuncs.size(); k++) {
                String name = f.extFuncs.get(k).name;
                LibCall c = byIrName(name);
                if (c != null && !defined.contains(name) && !needed.containsKey(name)) needed.put(name, c.body());
            }
        }
        return List.copyOf(needed.values());
    }

    private static String unaryFloat(String name, String type, String op) {
        return "function %" + name + "(" + type + ") -> " + type + " {\n"
                + "block0(v0: " + type + "):\n"
                + "    v1 = " + op + " v0\n"
                + "    return v1\n"
                + "}\n";
    }

    private static String fma(String type) {
        return "function %Fma" + type.toUpperCase(Locale.ROOT) + "(" + type + ", " + type + ", " + type + ") -> " + type + " {\n"
                + "block0(v0: " + type + ", v1: " + type + ", v2: " + type + "):\n"
                + "    v3 = fma v0, v1, v2\n"
                + "    return v3\n"
                + "}\n";
    }
}
