package dev.twill.interp;

import dev.twill.ir.Function;
import dev.twill.ir.Signature;
import dev.twill.runtime.LibCall;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The set of functions interpreted code can call, by name: IR functions ({@link
 * dev.twill.ir.Function#name}, e.g. {@code %g}, which is what {@link dev.twill.ir.ExtFuncData#name}
 * refers to) and host functions implemented in Java, plus the addresses of host-defined symbols.
 *
 * <p>Every function gets a distinct, non-zero fake address ({@code func_addr}, {@code
 * call_indirect}) in a range no {@link InterpMemory} region ever reaches, so loading through a
 * function address traps. A function is decoded for interpretation on its first call and the
 * decoding is kept, so an IR function must not change after it has run; names cannot be
 * redefined, which keeps the per-call-site callee caches valid. A {@link LibCall} name that no
 * function or host function takes is defined by the libcall on first reference.
 */
public final class InterpModule {
    /** The address of the first function; the k-th added function is at base + 16 * k. */
    public static final long FUNCTION_ADDRESS_BASE = 0x00F0_0000_0000_0000L;
    private static final long FUNCTION_ADDRESS_STRIDE = 16;

    /** One callable function: an IR function or a host function. */
    static final class Entry {
        final String name;
        final Signature signature;
        final Function function;
        final HostFunction host;
        final long address;
        private DecodedFunction decoded;

        Entry(String name, Signature signature, Function function, HostFunction host, long address) {
            this.name = name;
            this.signature = signature;
            this.function = function;
            this.host = host;
            this.address = address;
        }

        DecodedFunction decoded() {
            if (decoded == null) decoded = DecodedFunction.decode(function);
            return decoded;
        }
    }

    private final Map<String, Entry> byName = new HashMap<>();
    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, Long> symbols = new HashMap<>();

    /** Adds IR functions under their names. */
    public InterpModule add(Function... functions) {
        for (Function f : functions) addEntry(f.name, f.signature, f, null);
        return this;
    }

    /** Adds a host function: calls to {@code name} run {@code impl}. */
    public InterpModule addHost(String name, Signature signature, HostFunction impl) {
        if (impl == null) throw new IllegalArgumentException("null host function for " + name);
        addEntry(name, signature, null, impl);
        return this;
    }

    private void addEntry(String name, Signature sig, Function f, HostFunction host) {
        if (name == null || sig == null) throw new IllegalArgumentException("a function needs a name and a signature");
        if (byName.containsKey(name)) throw new IllegalArgumentException("function " + name + " is already defined");
        Entry e = new Entry(name, sig, f, host, FUNCTION_ADDRESS_BASE + FUNCTION_ADDRESS_STRIDE * entries.size());
        entries.add(e);
        byName.put(name, e);
    }

    /** Defines (or redefines) the address of a symbol for {@code symbol_value} and symbol global values. */
    public InterpModule defineSymbol(String name, long address) {
        symbols.put(name, address);
        return this;
    }

    /** True if a function of that name exists. */
    public boolean hasFunction(String name) {
        return byName.containsKey(name);
    }

    /** The fake address of a function; throws if there is none of that name. */
    public long functionAddress(String name) {
        return entry(name).address;
    }

    /**
     * The address of a symbol: a host-defined symbol, or else a function of that name; throws
     * {@link IllegalArgumentException} if neither exists.
     */
    public long symbolAddress(String name) {
        Long a = symbols.get(name);
        if (a != null) return a;
        Entry e = byName.get(name);
        if (e == null) e = libCall(name);
        if (e != null) return e.address;
        throw new IllegalArgumentException("unknown symbol " + name);
    }

    Entry entry(String name) {
        Entry e = byName.get(name);
        if (e == null) e = libCall(name);
        if (e == null) throw new IllegalArgumentException("unknown function " + name);
        return e;
    }

    /** A libcall's definition ({@link LibCall}), added on the first reference to a name nothing defines; else null. */
    private Entry libCall(String name) {
        LibCall c = LibCall.byIrName(name);
        if (c == null) return null;
        Function body = c.body();
        addEntry(name, body.signature, body, null);
        return byName.get(name);
    }

    /** The function at a fake address, or null. */
    Entry entryAt(long address) {
        long d = address - FUNCTION_ADDRESS_BASE;
        if (d < 0 || d % FUNCTION_ADDRESS_STRIDE != 0 || d / FUNCTION_ADDRESS_STRIDE >= entries.size()) return null;
        return entries.get((int) (d / FUNCTION_ADDRESS_STRIDE));
    }
}
