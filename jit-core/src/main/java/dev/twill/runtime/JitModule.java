package dev.twill.runtime;

import dev.twill.ir.Signature;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import dev.twill.machinst.CompiledCode;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.function.UnaryOperator;

/**
 * A set of compiled functions linked together in one piece of executable memory, callable from
 * Java through method handles and from native code through function pointers.
 *
 * <p>Use: {@link #declareFunction} every function (name and signature), {@link #defineFunction}
 * each with its {@link CompiledCode}, {@link #defineHostSymbol} or {@link #defineHostFunction}
 * what the code calls outside the module, then {@link #finalizeDefinitions()} once; after that
 * {@link #address} and {@link #handle} hand out the functions. {@link #close()} frees the code;
 * every later use of the module or of its handles throws {@link IllegalStateException}. (The
 * method is not called {@code finalize}, which would override {@link Object#finalize}.)
 *
 * <p><b>Linking</b> ({@link #finalizeDefinitions}): functions are laid out in declaration order,
 * each 16-byte aligned, in one block of one {@link CodeMemory}, followed by a veneer for every
 * host symbol that a {@code X86_PC_REL32} relocation may have to reach; the image is built in
 * place, in the block while it is still writable (no Java copy of it to fill and copy again),
 * relocations are applied (a name resolves to a function's entry, {@code start +
 * CompiledCode.HEADER_SIZE}, or to a host symbol's address), each function's header receives its
 * {@link SignatureIds signature id}, and the block is published read-execute. All of a
 * module's code is one mapping, so calls between its functions are always in rel32 reach; a host
 * symbol further than 2 GiB away is reached through its veneer, {@code jmp [rip + 0]; .quad
 * target} (14 bytes).
 *
 * <p><b>Calls from Java</b> ({@link #handle}): a method handle typed from the IR signature (i8
 * byte, i16 short, i32 int, i64 long, f32 float, f64 double; a vmctx parameter is an i64, i.e. a
 * long address; several results come back as a {@code long[]}, integers sign-extended from their
 * width and floats as raw bits, {@code Float.floatToRawIntBits} zero-extended or {@code
 * Double.doubleToRawLongBits}). It is built from method-handle combinators, so that a handle held
 * in a constant inlines to: check the module is open, fetch the thread's {@link CallContext},
 * call the shape's entry trampoline through a Panama downcall with (context, function pointer,
 * [return area,] arguments), and test {@code TRAP_CODE}; on a trap it throws {@link Trap} (or
 * rethrows the exception a host function threw), see {@link TrapContext}. A function whose code
 * is {@link CompiledCode#selfContained} (no call, trap site, loop or relocation: it runs in
 * bounded time and can neither trap nor reach Java) with at most one result is called directly
 * instead: a critical downcall to its entry, with no trampoline, context or trap check, which
 * is what makes a small leaf function's call cost a few nanoseconds.
 *
 * <p>Thread safety: definition and finalization are synchronized; handles and addresses may be
 * used from any thread. Closing a module while another thread runs its code is the caller's
 * error (the code would vanish under it).
 */
public final class JitModule implements AutoCloseable {
    private static final int DEFINING = 0, FINALIZED = 1, CLOSED = 2;
    private static final int ALIGN = 16;
    /** Bytes reserved per host symbol for a veneer: {@code jmp [rip+0]} (6) + address (8), padded. */
    private static final int VENEER_SIZE = 16;
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** DEFINING, FINALIZED or CLOSED; read by every call through a handle. */
    private volatile int state = DEFINING;
    private final HashMap<String, Integer> functionIndex = new HashMap<>();
    private String[] names = new String[8];
    private Signature[] signatures = new Signature[8];
    private CompiledCode[] codes = new CompiledCode[8];
    /** Per function after finalization: its entry address. */
    private long[] entries;
    /** Per function after finalization: the address of its first byte (header) and one past its last. */
    private long[] starts, ends;
    private MethodHandle[] handles;
    private int count;
    private final HashMap<String, Long> hostSymbols = new HashMap<>();
    /** Host symbols that are upcall stubs into Java ({@link #defineHostFunction}). */
    private final java.util.HashSet<String> upcalls = new java.util.HashSet<>();
    /** Per function after finalization: whether its relocations reach an upcall, directly or through other functions. */
    private boolean[] reachesUpcall;
    private MethodHandle[] leafHandles;
    /**
     * Per function after finalization: its code is {@link CompiledCode#selfContained} with at
     * most one result, so Java calls it directly (see {@link #handle}).
     */
    private boolean[] direct;
    private final CodeMemory memory = new CodeMemory();
    private UnaryOperator<String> perfMapNaming = UnaryOperator.identity();
    /** Owns the upcall stubs of host functions; created on first use. */
    private Arena upcallArena;

    // =====================================================================================
    // Definitions
    // =====================================================================================

    /** Declares a function of this module, as named in the IR ({@code %f}) with its signature. */
    public synchronized void declareFunction(String name, Signature signature) {
        checkDefining();
        if (functionIndex.containsKey(name) || hostSymbols.containsKey(name)) {
            throw new LinkError("duplicate declaration of " + name);
        }
        if (signature.returns.length > CallContext.MAX_RESULTS) {
            throw new LinkError(name + " has " + signature.returns.length + " results, at most "
                    + CallContext.MAX_RESULTS + " are supported");
        }
        if (count == names.length) {
            names = Arrays.copyOf(names, count * 2);
            signatures = Arrays.copyOf(signatures, count * 2);
            codes = Arrays.copyOf(codes, count * 2);
        }
        names[count] = name;
        signatures[count] = signature;
        functionIndex.put(name, count++);
    }

    /** Gives a declared function its machine code (header included, see {@link CompiledCode}). */
    public synchronized void defineFunction(String name, CompiledCode code) {
        checkDefining();
        int f = indexOf(name);
        if (codes[f] != null) throw new LinkError("duplicate definition of " + name);
        if (code.code().length < CompiledCode.HEADER_SIZE) {
            throw new LinkError(name + ": code of " + code.code().length + " bytes has no room for the "
                    + CompiledCode.HEADER_SIZE + "-byte header");
        }
        codes[f] = code;
    }

    /** Names a native address that relocations may refer to (a C function, a data block). */
    public synchronized void defineHostSymbol(String name, long address) {
        checkDefining();
        if (functionIndex.containsKey(name) || hostSymbols.containsKey(name)) {
            throw new LinkError("duplicate definition of " + name);
        }
        hostSymbols.put(name, address);
    }

    /**
     * Makes a Java method callable from compiled code as host symbol {@code name} with the
     * native C convention of {@code signature} (at most one result), through a Panama upcall stub
     * that lives as long as this module. {@code target} must have the Java type {@link
     * #methodType} gives for the signature. An exception thrown by {@code target} never reaches
     * native code: it is recorded, the call returns zero, and compiled code unwinds (see {@link
     * TrapContext}) so that the Java caller of the module receives the same exception.
     *
     * @return the address of the upcall stub
     */
    public synchronized long defineHostFunction(String name, Signature signature, MethodHandle target) {
        checkDefining();
        check(signature, target, name);
        if (upcallArena == null) upcallArena = Arena.ofShared();
        long address = upcallStub(signature, target, upcallArena);
        defineHostSymbol(name, address);
        upcalls.add(name);
        return address;
    }

    /**
     * A host function whose upcall stub is made once and shared by every module that defines it
     * ({@link #defineHostFunction(String, SharedHostFunction)}): for the functions a runtime gives
     * every module it compiles (its builtins), whose stubs would otherwise be made again for
     * each module, at a cost far above compiling a small module. The stub lives as long as the
     * process, so make few of these, once.
     */
    public record SharedHostFunction(Signature signature, long address) {
        public static SharedHostFunction create(Signature signature, MethodHandle target) {
            check(signature, target, "shared host function");
            return new SharedHostFunction(signature, upcallStub(signature, target, Arena.global()));
        }
    }

    /** As {@link #defineHostFunction(String, Signature, MethodHandle)}, with a stub made beforehand. */
    public synchronized void defineHostFunction(String name, SharedHostFunction f) {
        checkDefining();
        defineHostSymbol(name, f.address());
        upcalls.add(name);
    }

    private static void check(Signature signature, MethodHandle target, String name) {
        if (signature.returns.length > 1) throw new LinkError(name + ": host functions return at most one result");
        MethodType type = methodType(signature);
        if (!target.type().equals(type)) {
            throw new LinkError(name + ": host function of type " + target.type() + ", signature " + signature + " needs " + type);
        }
    }

    /** An upcall stub in {@code arena} for {@code target}, which never lets an exception reach native code. */
    private static long upcallStub(Signature signature, MethodHandle target, Arena arena) {
        MethodType type = target.type();
        MethodHandle guarded = MethodHandles.catchException(target, Throwable.class,
                MethodHandles.dropArguments(HostGlue.onException(type.returnType()), 1, type.parameterList()));
        MemoryLayout[] args = new MemoryLayout[signature.params.length];
        for (int i = 0; i < args.length; i++) args[i] = EntryTrampolines.layout(signature.params[i]);
        FunctionDescriptor fd = signature.returns.length == 0 ? FunctionDescriptor.ofVoid(args)
                : FunctionDescriptor.of(EntryTrampolines.layout(signature.returns[0]), args);
        return Linker.nativeLinker().upcallStub(guarded, fd, arena).address();
    }

    /**
     * The Java type of calls with this IR signature: parameters and a single result map to byte,
     * short, int, long, float, double; no result to void; several to {@code long[]}.
     */
    public static MethodType methodType(Signature signature) {
        Class<?>[] params = new Class<?>[signature.params.length];
        for (int i = 0; i < params.length; i++) params[i] = EntryTrampolines.javaType(signature.params[i]);
        int n = signature.returns.length;
        Class<?> ret = n == 0 ? void.class : n == 1 ? EntryTrampolines.javaType(signature.returns[0]) : long[].class;
        if (n > 1) for (int r : signature.returns) EntryTrampolines.javaType(r); // rejects i128 results
        return MethodType.methodType(ret, params);
    }

    // =====================================================================================
    // Linking
    // =====================================================================================

    /**
     * Places all functions in executable memory, resolves relocations, and publishes the code.
     * Throws {@link LinkError} for a function declared but not defined, an unknown relocation
     * target, or a relocation out of reach.
     */
    public synchronized void finalizeDefinitions() {
        checkDefining();
        int[] offsets = new int[count];
        long size = 0;
        for (int f = 0; f < count; f++) {
            if (codes[f] == null) throw new LinkError(names[f] + " is declared but not defined");
            size = (size + ALIGN - 1) & -ALIGN;
            offsets[f] = (int) size;
            size += codes[f].code().length;
        }
        // One veneer slot per host symbol that some rel32 relocation names: enough whatever the distances.
        HashMap<String, Integer> veneerSlot = new HashMap<>();
        for (int f = 0; f < count; f++) {
            for (CompiledCode.Relocation r : codes[f].relocations()) {
                if (r.kind() == CompiledCode.RelocKind.X86_PC_REL32 && hostSymbols.containsKey(r.target())) {
                    veneerSlot.putIfAbsent(r.target(), veneerSlot.size());
                }
            }
        }
        size = (size + ALIGN - 1) & -ALIGN;
        long veneerBase = size;
        size += (long) VENEER_SIZE * veneerSlot.size();
        if (size > Integer.MAX_VALUE) throw new LinkError("module code of " + size + " bytes exceeds 2 GiB");
        if (size == 0) {
            finishFinalization(0);
            return;
        }
        // the image is built in place: the block stays writable until the publish below
        MemorySegment image = memory.allocate(size);
        long base = image.address();
        entries = new long[count];
        starts = new long[count];
        ends = new long[count];
        long written = 0;
        for (int f = 0; f < count; f++) {
            byte[] code = codes[f].code();
            image.asSlice(written, offsets[f] - written).fill((byte) 0); // alignment padding
            MemorySegment.copy(code, 0, image, ValueLayout.JAVA_BYTE, offsets[f], code.length);
            image.set(INT_LE, offsets[f] + CompiledCode.SIGNATURE_ID_OFFSET, SignatureIds.idOf(signatures[f]));
            image.set(INT_LE, offsets[f] + CompiledCode.SIGNATURE_ID_OFFSET + 4, 0);
            written = offsets[f] + code.length;
            starts[f] = base + offsets[f];
            ends[f] = starts[f] + code.length;
            entries[f] = starts[f] + CompiledCode.HEADER_SIZE;
        }
        image.asSlice(written, size - written).fill((byte) 0); // padding and the veneer slots
        boolean[] veneerWritten = new boolean[veneerSlot.size()];
        for (int f = 0; f < count; f++) {
            CompiledCode cc = codes[f];
            for (CompiledCode.Relocation r : cc.relocations()) {
                applyRelocation(image, base, offsets[f], cc.code().length, names[f], r, veneerBase, veneerSlot, veneerWritten);
            }
        }
        memory.publish();
        reachesUpcall = upcallReach();
        direct = new boolean[count];
        for (int f = 0; f < count; f++) {
            direct[f] = codes[f].selfContained() && codes[f].relocations().length == 0 && signatures[f].returns.length <= 1;
        }
        if (PerfMap.ENABLED) writePerfMap();
        finishFinalization(count);
    }

    /**
     * How functions are named in the perf map ({@link PerfMap}), from their IR names; set before
     * {@link #finalizeDefinitions}. A front end maps its own naming scheme back to source names.
     */
    public synchronized void perfMapNames(UnaryOperator<String> naming) {
        checkDefining();
        perfMapNaming = naming;
    }

    private void writePerfMap() {
        StringBuilder s = new StringBuilder();
        for (int f = 0; f < count; f++) s.append(PerfMap.line(starts[f], ends[f] - starts[f], perfMapNaming.apply(names[f])));
        PerfMap.append(s.toString());
    }

    /** Which functions reach an upcall through relocations: direct references, then a fixpoint over calls. */
    private boolean[] upcallReach() {
        boolean[] reach = new boolean[count];
        for (int f = 0; f < count; f++) {
            for (CompiledCode.Relocation r : codes[f].relocations()) if (upcalls.contains(r.target())) reach[f] = true;
        }
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int f = 0; f < count; f++) {
                if (reach[f]) continue;
                for (CompiledCode.Relocation r : codes[f].relocations()) {
                    Integer g = functionIndex.get(r.target());
                    if (g != null && reach[g]) {
                        reach[f] = true;
                        changed = true;
                        break;
                    }
                }
            }
        }
        return reach;
    }

    private void finishFinalization(int n) {
        if (entries == null) {
            entries = new long[0];
            starts = new long[0];
            ends = new long[0];
        }
        handles = new MethodHandle[n];
        leafHandles = new MethodHandle[n];
        if (reachesUpcall == null) reachesUpcall = new boolean[n];
        if (direct == null) direct = new boolean[n];
        codes = null; // the bytes are in code memory now
        state = FINALIZED;
    }

    private void applyRelocation(MemorySegment image, long base, int functionOffset, int codeLength, String function,
                                 CompiledCode.Relocation r, long veneerBase, HashMap<String, Integer> veneerSlot,
                                 boolean[] veneerWritten) {
        int width = r.kind() == CompiledCode.RelocKind.ABS64 ? 8 : 4;
        if (r.offset() < 0 || r.offset() + width > codeLength) {
            throw new LinkError(function + ": relocation at " + r.offset() + " lies outside its " + codeLength + " bytes");
        }
        long target = resolve(function, r.target()) + r.addend();
        int at = functionOffset + r.offset();
        long place = base + at;
        switch (r.kind()) {
            case ABS64 -> image.set(LONG_LE, at, target);
            case X86_PC_REL32 -> {
                long disp = target - (place + 4);
                if (disp != (int) disp) {
                    Integer slot = veneerSlot.get(r.target());
                    if (slot == null || r.addend() != 0) {
                        throw new LinkError(function + ": rel32 reference to " + r.target() + " out of reach");
                    }
                    int v = (int) (veneerBase + (long) VENEER_SIZE * slot);
                    if (!veneerWritten[slot]) {
                        writeVeneer(image, v, target);
                        veneerWritten[slot] = true;
                    }
                    disp = base + v - (place + 4);
                }
                image.set(INT_LE, at, (int) disp);
            }
            case AARCH64_CALL26 -> {
                long delta = target - place;
                if ((delta & 3) != 0 || delta < -(1L << 27) || delta >= (1L << 27)) {
                    throw new LinkError(function + ": call26 reference to " + r.target() + " out of reach");
                }
                int insn = image.get(INT_LE, at);
                image.set(INT_LE, at, (insn & 0xFC00_0000) | (int) ((delta >> 2) & 0x03FF_FFFF));
            }
        }
    }

    /** {@code jmp qword ptr [rip + 0]} (FF 25 00000000) followed by the 8-byte target, padded with int3. */
    private static void writeVeneer(MemorySegment image, int at, long target) {
        image.set(ValueLayout.JAVA_BYTE, at, (byte) 0xFF);
        image.set(ValueLayout.JAVA_BYTE, at + 1, (byte) 0x25);
        image.set(INT_LE, at + 2, 0);
        image.set(LONG_LE, at + 6, target);
        image.set(ValueLayout.JAVA_BYTE, at + 14, (byte) 0xCC);
        image.set(ValueLayout.JAVA_BYTE, at + 15, (byte) 0xCC);
    }

    private long resolve(String from, String name) {
        Integer f = functionIndex.get(name);
        if (f != null) return entries[f];
        Long host = hostSymbols.get(name);
        if (host != null) return host;
        throw new LinkError(from + ": reference to undefined symbol " + name);
    }

    // =====================================================================================
    // Access
    // =====================================================================================

    /** The entry address of a function, valid until {@link #close()}. */
    public synchronized long address(String name) {
        checkFinalized();
        return entries[indexOf(name)];
    }

    /** The signature a function was declared with. */
    public synchronized Signature signature(String name) {
        return signatures[indexOf(name)];
    }

    /**
     * A method handle calling function {@code name} from Java, of type {@link
     * #methodType}{@code (signature)}; see the class comment for the call path and traps.
     */
    public synchronized MethodHandle handle(String name) {
        checkFinalized();
        int f = indexOf(name);
        if (handles[f] == null) handles[f] = makeHandle(f, false);
        return handles[f];
    }

    /**
     * A caller of function {@code name} with raw bits: arguments and results in {@code long}s
     * (integers sign-extended from their width, f32 and f64 as their IEEE bits, f32 in the low
     * half). Unlike {@link #handle}, it makes no method handle of the function's own type: every
     * signature goes through one Panama downcall and a small trampoline per shape that reads the
     * arguments from a native buffer, because the JVM keeps the adapters it makes for each
     * distinct method-handle signature for ever (some 44 KiB of code cache each), which a
     * process calling functions of many different signatures would run out of. Traps and host
     * exceptions are thrown as from {@link #handle}.
     */
    public synchronized RawCaller rawCaller(String name) {
        checkFinalized();
        int f = indexOf(name);
        Signature sig = signatures[f];
        for (int t : sig.params) EntryTrampolines.layout(t); // rejects types that cannot cross
        for (int t : sig.returns) EntryTrampolines.layout(t);
        if (sig.returns.length > CallContext.MAX_RESULTS) throw new LinkError(name + " has more than " + CallContext.MAX_RESULTS + " results");
        long trampoline = EntryTrampolines.buffered(sig.params, sig.returns);
        return new RawCaller(new CallGlue(this, names[f], sig.returns), sig.params, trampoline, entries[f]);
    }

    /** Calls one function with raw bits through a buffered trampoline (see {@link #rawCaller}). */
    public static final class RawCaller {
        /** Per thread, the argument and result buffer: nested calls reuse it, since arguments are read on entry and results written just before the return. */
        private static final ThreadLocal<MemorySegment[]> BUFFER = ThreadLocal.withInitial(() -> new MemorySegment[1]);

        private final CallGlue glue;
        private final int[] params;
        private final MemorySegment trampoline;
        private final long entry;
        /** Bytes of buffer a call needs: arguments or results, then the callee's return area. */
        private final long bufferBytes;

        RawCaller(CallGlue glue, int[] params, long trampoline, long entry) {
            this.glue = glue;
            this.params = params;
            this.trampoline = MemorySegment.ofAddress(trampoline);
            this.entry = entry;
            int nr = glue.returns.length;
            this.bufferBytes = 8L * (Math.max(params.length, nr) + nr);
        }

        /** Calls the function; {@code args.length} must equal its parameter count. */
        public long[] call(long[] args) {
            if (args.length != params.length) throw new IllegalArgumentException("takes " + params.length + " arguments, not " + args.length);
            CallContext c = CallGlue.enter(glue.module);
            MemorySegment[] holder = BUFFER.get();
            MemorySegment buf = holder[0];
            if (buf == null || buf.byteSize() < bufferBytes) {
                buf = Arena.ofAuto().allocate(Math.max(bufferBytes, 256), 16);
                holder[0] = buf;
            }
            for (int k = 0; k < args.length; k++) {
                long v = args[k];
                v = switch (params[k]) {
                    case Type.I8 -> (byte) v;
                    case Type.I16 -> (short) v;
                    case Type.I32 -> (int) v;
                    case Type.F32 -> v & 0xFFFF_FFFFL;
                    default -> v;
                };
                buf.set(ValueLayout.JAVA_LONG, 8L * k, v);
            }
            try {
                EntryTrampolines.BUFFERED.invokeExact(trampoline, c.address, entry, buf.address());
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            if (c.trapCode() != TrapContext.NO_TRAP) throw glue.fail(c);
            return CallGlue.readResults(glue.returns, buf, 0);
        }
    }

    /**
     * As {@link #handle}, for a short leaf function: the call goes through Panama's critical
     * downcall, which skips the thread's transition out of the Java state and roughly halves the
     * cost of a call. Semantics are the same (traps, stack limit, interrupts), but while the call
     * runs the thread cannot reach a safepoint, so a garbage collection or any other thread's
     * safepoint operation waits until it returns (a runaway loop is still stoppable through
     * {@link CallContext#interrupt}); and the code must not call back into Java. The second is
     * checked: a function whose relocations reach a host function made by {@link
     * #defineHostFunction}, directly or through other functions of the module, is refused with a
     * {@link LinkError}. Calls through function pointers (tables, {@code call_indirect}) cannot be
     * seen here: code that may reach an upcall that way must use {@link #handle}.
     */
    public synchronized MethodHandle leafHandle(String name) {
        checkFinalized();
        int f = indexOf(name);
        if (reachesUpcall[f]) throw new LinkError(name + " may call a Java host function: it needs handle(), not leafHandle()");
        if (leafHandles[f] == null) leafHandles[f] = makeHandle(f, true);
        return leafHandles[f];
    }

    /** The name of the function of this module whose code holds {@code pc}, or null. */
    public String functionAt(long pc) {
        long[] s = starts;
        if (s == null || pc == 0) return null;
        int i = Arrays.binarySearch(s, pc);
        if (i < 0) i = -i - 2;
        return i >= 0 && pc < ends[i] ? names[i] : null;
    }

    public boolean isClosed() {
        return state == CLOSED;
    }

    /** Frees the code memory and the upcall stubs. Idempotent. */
    @Override
    public synchronized void close() {
        if (state == CLOSED) return;
        state = CLOSED;
        memory.close();
        if (upcallArena != null) upcallArena.close();
        handles = null;
        leafHandles = null;
    }

    /** Bytes of executable memory this module maps (0 once closed). */
    public synchronized long mappedBytes() {
        return memory.mappedBytes();
    }

    private int indexOf(String name) {
        if (state == CLOSED) throw new IllegalStateException("module is closed");
        Integer f = functionIndex.get(name);
        if (f == null) throw new LinkError("no function " + name + " in this module");
        return f;
    }

    private void checkDefining() {
        if (state == CLOSED) throw new IllegalStateException("module is closed");
        if (state == FINALIZED) throw new IllegalStateException("module is already finalized");
    }

    private void checkFinalized() {
        if (state == CLOSED) throw new IllegalStateException("module is closed");
        if (state == DEFINING) throw new IllegalStateException("module is not finalized yet");
    }

    // =====================================================================================
    // Method handles
    // =====================================================================================

    private MethodHandle makeHandle(int f, boolean critical) {
        Signature sig = signatures[f];
        MethodType type = methodType(sig);
        if (direct[f]) {
            // bounded, cannot trap or call out: a critical downcall straight to the entry, after
            // the same open-module check as every other call
            MethodHandle call = EntryTrampolines.directDowncall(entries[f], sig.params, sig.returns);
            return MethodHandles.foldArguments(call, MethodHandles.insertArguments(CallGlue.CHECK_OPEN, 0, this));
        }
        int[] returns = sig.returns;
        MethodHandle call = EntryTrampolines.downcall(sig.params, returns, critical);
        // (long ctx, long fn, [long area,] P...) -> R   becomes   (CallContext, P...) -> R
        call = MethodHandles.insertArguments(call, 1, entries[f]);
        call = MethodHandles.filterArguments(call, 0, CallGlue.CONTEXT_ADDRESS);
        if (returns.length > 1) {
            call = MethodHandles.filterArguments(call, 1, CallGlue.RETURN_AREA);
            int[] reorder = new int[type.parameterCount() + 2];
            for (int i = 1; i < reorder.length; i++) reorder[i] = i - 1;
            call = MethodHandles.permuteArguments(call,
                    type.changeReturnType(void.class).insertParameterTypes(0, CallContext.class), reorder);
        }
        CallGlue glue = new CallGlue(this, names[f], returns);
        MethodHandle check;
        if (returns.length == 1) {
            // (R value, CallContext) -> R, then fold: value = call(ctx, P...)
            check = MethodHandles.insertArguments(CallGlue.check(type.returnType()), 1, glue);
            check = MethodHandles.dropArguments(check, 2, type.parameterList());
        } else {
            check = MethodHandles.insertArguments(returns.length == 0 ? CallGlue.CHECK_VOID : CallGlue.CHECK_MULTI, 0, glue);
            check = MethodHandles.dropArguments(check, 1, type.parameterList());
        }
        MethodHandle h = MethodHandles.foldArguments(check, 0, call);           // (CallContext, P...) -> R
        return MethodHandles.foldArguments(h, 0, MethodHandles.insertArguments(CallGlue.ENTER, 0, this)); // (P...) -> R
    }

    /** The Java side of one function's calls: entry check, trap check, result reading. */
    private static final class CallGlue {
        static final MethodHandle ENTER, CHECK_OPEN, CONTEXT_ADDRESS, RETURN_AREA, CHECK_VOID, CHECK_MULTI;
        static final MethodHandle CHECK_B, CHECK_S, CHECK_I, CHECK_J, CHECK_F, CHECK_D;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                Class<?> c = CallGlue.class;
                ENTER = l.findStatic(c, "enter", MethodType.methodType(CallContext.class, JitModule.class));
                CHECK_OPEN = l.findStatic(c, "checkOpen", MethodType.methodType(void.class, JitModule.class));
                CONTEXT_ADDRESS = l.findStatic(c, "contextAddress", MethodType.methodType(long.class, CallContext.class));
                RETURN_AREA = l.findStatic(c, "returnArea", MethodType.methodType(long.class, CallContext.class));
                CHECK_VOID = l.findStatic(c, "checkVoid", MethodType.methodType(void.class, CallGlue.class, CallContext.class));
                CHECK_MULTI = l.findStatic(c, "checkMulti", MethodType.methodType(long[].class, CallGlue.class, CallContext.class));
                CHECK_B = l.findStatic(c, "check", MethodType.methodType(byte.class, byte.class, CallGlue.class, CallContext.class));
                CHECK_S = l.findStatic(c, "check", MethodType.methodType(short.class, short.class, CallGlue.class, CallContext.class));
                CHECK_I = l.findStatic(c, "check", MethodType.methodType(int.class, int.class, CallGlue.class, CallContext.class));
                CHECK_J = l.findStatic(c, "check", MethodType.methodType(long.class, long.class, CallGlue.class, CallContext.class));
                CHECK_F = l.findStatic(c, "check", MethodType.methodType(float.class, float.class, CallGlue.class, CallContext.class));
                CHECK_D = l.findStatic(c, "check", MethodType.methodType(double.class, double.class, CallGlue.class, CallContext.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final JitModule module;
        final String function;
        final int[] returns;

        CallGlue(JitModule module, String function, int[] returns) {
            this.module = module;
            this.function = function;
            this.returns = returns;
        }

        static MethodHandle check(Class<?> t) {
            if (t == byte.class) return CHECK_B;
            if (t == short.class) return CHECK_S;
            if (t == int.class) return CHECK_I;
            if (t == long.class) return CHECK_J;
            if (t == float.class) return CHECK_F;
            return CHECK_D;
        }

        static CallContext enter(JitModule m) {
            checkOpen(m);
            return CallContext.current();
        }

        static void checkOpen(JitModule m) {
            if (m.state != FINALIZED) throw new IllegalStateException("module is closed");
        }

        static long contextAddress(CallContext c) {
            return c.address;
        }

        static long returnArea(CallContext c) {
            return c.returnArea;
        }

        static byte check(byte v, CallGlue g, CallContext c) {
            if (c.trapCode() != TrapContext.NO_TRAP) throw g.fail(c);
            return v;
        }

        static short check(short v, CallGlue g, CallContext c) {
            if (c.trapCode() != TrapContext.NO_TRAP) throw g.fail(c);
            return v;
        }

        static int check(int v, CallGlue g, CallContext c) {
            if (c.trapCode() != TrapContext.NO_TRAP) throw g.fail(c);
            return v;
        }

        static long check(long v, CallGlue g, CallContext c) {
            if (c.trapCode() != TrapContext.NO_TRAP) throw g.fail(c);
            return v;
        }

        static float check(float v, CallGlue g, CallContext c) {
            if (c.trapCode() != TrapContext.NO_TRAP) throw g.fail(c);
            return v;
        }

        static double check(double v, CallGlue g, CallContext c) {
            if (c.trapCode() != TrapContext.NO_TRAP) throw g.fail(c);
            return v;
        }

        static void checkVoid(CallGlue g, CallContext c) {
            if (c.trapCode() != TrapContext.NO_TRAP) throw g.fail(c);
        }

        static long[] checkMulti(CallGlue g, CallContext c) {
            if (c.trapCode() != TrapContext.NO_TRAP) throw g.fail(c);
            return readResults(g.returns, c.block, CallContext.RETURN_AREA);
        }

        /**
         * Results of {@code types} from 8-byte slots at {@code from} in {@code area}, as raw bits:
         * integers sign-extended from their width, f32 zero-extended, f64 as is.
         */
        static long[] readResults(int[] types, MemorySegment area, long from) {
            long[] out = new long[types.length];
            for (int k = 0; k < types.length; k++) {
                long at = from + 8L * k;
                out[k] = switch (types[k]) {
                    case Type.I8 -> area.get(ValueLayout.JAVA_BYTE, at);
                    case Type.I16 -> area.get(ValueLayout.JAVA_SHORT, at);
                    case Type.I32 -> area.get(ValueLayout.JAVA_INT, at);
                    case Type.F32 -> area.get(ValueLayout.JAVA_INT, at) & 0xFFFF_FFFFL;
                    default -> area.get(ValueLayout.JAVA_LONG, at);
                };
            }
            return out;
        }

        /** The exception for a call that left {@code TRAP_CODE} set; resets the context. */
        RuntimeException fail(CallContext c) {
            int code = c.trapCode();
            c.resetTrap();
            Throwable pending = c.pending;
            c.pending = null;
            if (code == TrapContext.HOST_EXCEPTION && pending != null) return HostGlue.sneakyThrow(pending);
            if (code == TrapCode.INTERRUPT) c.clearInterrupt();
            long pc = c.trapPc();
            String where = module.functionAt(pc);
            Trap trap = new Trap(code, where != null ? where : function, pc);
            if (pending != null) trap.addSuppressed(pending);
            return trap;
        }
    }

    /** The Java side of host functions: what the upcall returns after recording an exception. */
    private static final class HostGlue {
        private static final MethodHandle RECORD;

        static {
            try {
                RECORD = MethodHandles.lookup().findStatic(HostGlue.class, "record",
                        MethodType.methodType(void.class, Throwable.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** A handle {@code (Throwable) -> t} that records the exception and returns zero. */
        static MethodHandle onException(Class<?> t) {
            if (t == void.class) return RECORD;
            MethodHandle zero = MethodHandles.dropArguments(MethodHandles.zero(t), 0, Throwable.class);
            return MethodHandles.foldArguments(zero, RECORD);
        }

        static void record(Throwable t) {
            try {
                CallContext.recordHostException(t);
            } catch (Throwable ignored) {
                // Nothing may escape into native code; a failure to record (out of memory) leaves
                // the call returning zero, the best that can be done here.
            }
        }

        @SuppressWarnings("unchecked")
        static <T extends Throwable> RuntimeException sneakyThrow(Throwable t) throws T {
            throw (T) t;
        }
    }
}
