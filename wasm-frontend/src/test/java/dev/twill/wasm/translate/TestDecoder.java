package dev.twill.wasm.translate;

import dev.twill.wasm.binary.ConstExpr;
import dev.twill.wasm.binary.CustomSection;
import dev.twill.wasm.binary.DataSegment;
import dev.twill.wasm.binary.ElementSegment;
import dev.twill.wasm.binary.Export;
import dev.twill.wasm.binary.ExternKind;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.FunctionBody;
import dev.twill.wasm.binary.Global;
import dev.twill.wasm.binary.GlobalType;
import dev.twill.wasm.binary.Import;
import dev.twill.wasm.binary.Limits;
import dev.twill.wasm.binary.MemoryType;
import dev.twill.wasm.binary.SegmentMode;
import dev.twill.wasm.binary.TableType;
import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.binary.WasmModule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway, trusting decoder for the translator's tests (the real ModuleDecoder is helper
 * wdec's): reads well-formed modules made by wat2wasm into a {@link WasmModule}, without the
 * checks a decoder owes untrusted input. Also runs wat2wasm on test resources.
 */
final class TestDecoder {
    private final byte[] b;
    private int pos;

    private TestDecoder(byte[] b) {
        this.b = b;
    }

    /** Compiles {@code resource} (a .wat under this package's test resources) with wat2wasm. */
    static byte[] wat(String resource) {
        try (InputStream in = TestDecoder.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalArgumentException("no test resource " + resource);
            Path dir = Files.createTempDirectory("twill-wat");
            Path src = dir.resolve("m.wat"), out = dir.resolve("m.wasm");
            Files.write(src, in.readAllBytes());
            Process p;
            try {
                p = new ProcessBuilder("wat2wasm", "--enable-all", "--disable-simd", src.toString(), "-o", out.toString())
                        .redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IllegalStateException("wat2wasm (wabt) is not installed; install wabt to run the translator tests", e);
            }
            String msg = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("wat2wasm failed: " + msg);
            byte[] bytes = Files.readAllBytes(out);
            Files.delete(src);
            Files.delete(out);
            Files.delete(dir);
            return bytes;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static WasmModule decode(byte[] bytes) {
        return new TestDecoder(bytes).module();
    }

    private WasmModule module() {
        pos = 8;
        FuncType[] types = new FuncType[0];
        List<Import> imports = new ArrayList<>();
        List<Integer> funcTypes = new ArrayList<>();
        List<TableType> tables = new ArrayList<>();
        List<MemoryType> memories = new ArrayList<>();
        List<GlobalType> globalTypes = new ArrayList<>();
        List<Global> globals = new ArrayList<>();
        List<Export> exports = new ArrayList<>();
        List<ElementSegment> elements = new ArrayList<>();
        List<DataSegment> datas = new ArrayList<>();
        List<FunctionBody> bodies = new ArrayList<>();
        int importedFunctions = 0, importedTables = 0, importedMemories = 0, importedGlobals = 0;
        int start = -1, dataCount = -1;
        while (pos < b.length) {
            int id = b[pos++];
            int size = u32();
            int sectionEnd = pos + size;
            switch (id) {
                case 1: {
                    types = new FuncType[u32()];
                    for (int k = 0; k < types.length; k++) {
                        pos++; // 0x60
                        types[k] = new FuncType(valTypes(), valTypes());
                    }
                    break;
                }
                case 2: {
                    for (int n = u32(); n > 0; n--) {
                        String mod = name(), nm = name();
                        int kind = b[pos++];
                        switch (kind) {
                            case ExternKind.FUNC: {
                                int t = u32();
                                imports.add(new Import(mod, nm, kind, t, null, null, null));
                                funcTypes.add(t);
                                importedFunctions++;
                                break;
                            }
                            case ExternKind.TABLE: {
                                TableType t = tableType();
                                imports.add(new Import(mod, nm, kind, -1, t, null, null));
                                tables.add(t);
                                importedTables++;
                                break;
                            }
                            case ExternKind.MEMORY: {
                                MemoryType t = new MemoryType(limits());
                                imports.add(new Import(mod, nm, kind, -1, null, t, null));
                                memories.add(t);
                                importedMemories++;
                                break;
                            }
                            default: {
                                GlobalType t = new GlobalType(b[pos++], b[pos++] == 1);
                                imports.add(new Import(mod, nm, kind, -1, null, null, t));
                                globalTypes.add(t);
                                importedGlobals++;
                            }
                        }
                    }
                    break;
                }
                case 3:
                    for (int n = u32(); n > 0; n--) funcTypes.add(u32());
                    break;
                case 4:
                    for (int n = u32(); n > 0; n--) tables.add(tableType());
                    break;
                case 5:
                    for (int n = u32(); n > 0; n--) memories.add(new MemoryType(limits()));
                    break;
                case 6:
                    for (int n = u32(); n > 0; n--) {
                        GlobalType t = new GlobalType(b[pos++], b[pos++] == 1);
                        globalTypes.add(t);
                        globals.add(new Global(t, constExpr()));
                    }
                    break;
                case 7:
                    for (int n = u32(); n > 0; n--) {
                        String nm = name();
                        int kind = b[pos++];
                        exports.add(new Export(nm, kind, u32()));
                    }
                    break;
                case 8:
                    start = u32();
                    break;
                case 9:
                    for (int n = u32(); n > 0; n--) elements.add(element());
                    break;
                case 10:
                    for (int n = u32(); n > 0; n--) {
                        int size2 = u32();
                        int bodyEnd = pos + size2;
                        int groups = u32();
                        int[] counts = new int[groups];
                        byte[] lt = new byte[groups];
                        int total = 0;
                        for (int g = 0; g < groups; g++) {
                            counts[g] = u32();
                            lt[g] = b[pos++];
                            total += counts[g];
                        }
                        bodies.add(new FunctionBody(counts, lt, total, pos, bodyEnd));
                        pos = bodyEnd;
                    }
                    break;
                case 11:
                    for (int n = u32(); n > 0; n--) {
                        int flags = u32();
                        int mem = 0;
                        ConstExpr off = null;
                        if (flags == 2) mem = u32();
                        if (flags != 1) off = constExpr();
                        byte[] data = new byte[u32()];
                        System.arraycopy(b, pos, data, 0, data.length);
                        pos += data.length;
                        datas.add(new DataSegment(flags == 1 ? SegmentMode.PASSIVE : SegmentMode.ACTIVE, mem, off, data));
                    }
                    break;
                case 12:
                    dataCount = u32();
                    break;
                default:
                    break;
            }
            pos = sectionEnd;
        }
        int[] ft = funcTypes.stream().mapToInt(Integer::intValue).toArray();
        return new WasmModule(b, types, imports.toArray(new Import[0]), ft, importedFunctions,
                tables.toArray(new TableType[0]), importedTables, memories.toArray(new MemoryType[0]), importedMemories,
                globalTypes.toArray(new GlobalType[0]), importedGlobals, globals.toArray(new Global[0]),
                exports.toArray(new Export[0]), start, elements.toArray(new ElementSegment[0]),
                datas.toArray(new DataSegment[0]), dataCount, bodies.toArray(new FunctionBody[0]),
                new CustomSection[0], new String[0]);
    }

    private ElementSegment element() {
        int flags = u32();
        int mode = (flags & 1) == 0 ? SegmentMode.ACTIVE : (flags & 2) == 0 ? SegmentMode.PASSIVE : SegmentMode.DECLARATIVE;
        int table = 0;
        ConstExpr offset = null;
        if (mode == SegmentMode.ACTIVE) {
            if ((flags & 2) != 0) table = u32();
            offset = constExpr();
        }
        byte elemType = ValType.FUNCREF;
        boolean exprs = (flags & 4) != 0;
        if ((flags & 3) != 0) {
            elemType = b[pos++]; // elemkind 0x00 (funcref) or a reference type
            if (!exprs) elemType = ValType.FUNCREF;
        }
        int n = u32();
        if (!exprs) {
            int[] f = new int[n];
            for (int k = 0; k < n; k++) f[k] = u32();
            return new ElementSegment(mode, table, offset, elemType, f, null);
        }
        ConstExpr[] items = new ConstExpr[n];
        for (int k = 0; k < n; k++) items[k] = constExpr();
        return new ElementSegment(mode, table, offset, elemType, null, items);
    }

    private ConstExpr constExpr() {
        int start = pos;
        while (true) {
            int op = b[pos++] & 0xFF;
            switch (op) {
                case 0x0B: {
                    byte[] c = new byte[pos - start];
                    System.arraycopy(b, start, c, 0, c.length);
                    return new ConstExpr(c, start);
                }
                case 0x41: case 0x42: s64(); break;
                case 0x43: pos += 4; break;
                case 0x44: pos += 8; break;
                case 0xD0: pos++; break;
                case 0xD2: case 0x23: u32(); break;
                default: throw new IllegalStateException("const expr op 0x" + Integer.toHexString(op));
            }
        }
    }

    private TableType tableType() {
        byte t = b[pos++];
        return new TableType(t, limits());
    }

    private Limits limits() {
        int flag = b[pos++];
        long min = u32() & 0xFFFF_FFFFL;
        long max = flag == 1 ? u32() & 0xFFFF_FFFFL : -1;
        return new Limits(min, max);
    }

    private byte[] valTypes() {
        byte[] t = new byte[u32()];
        for (int k = 0; k < t.length; k++) t[k] = b[pos++];
        return t;
    }

    private String name() {
        int n = u32();
        String s = new String(b, pos, n, java.nio.charset.StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    private int u32() {
        int r = 0, shift = 0;
        while (true) {
            int x = b[pos++];
            r |= (x & 0x7F) << shift;
            if ((x & 0x80) == 0) return r;
            shift += 7;
        }
    }

    private long s64() {
        long r = 0;
        int shift = 0, x;
        do {
            x = b[pos++];
            r |= (long) (x & 0x7F) << shift;
            shift += 7;
        } while ((x & 0x80) != 0);
        if (shift < 64 && (x & 0x40) != 0) r |= -1L << shift;
        return r;
    }

    /** Evaluates a constant expression of a global or segment offset (no global.get of imports needed here). */
    static long evalConst(ConstExpr e, long vmctx, dev.twill.wasm.vm.VmContextLayout layout, long[] globalValues) {
        TestDecoder d = new TestDecoder(e.code());
        int op = d.b[d.pos++] & 0xFF;
        switch (op) {
            case 0x41: return (int) d.s64();
            case 0x42: return d.s64();
            case 0x43: return d.fixed(4);
            case 0x44: return d.fixed(8);
            case 0xD0: return 0;
            case 0xD2: return vmctx + layout.funcRefOffset(d.u32());
            case 0x23: return globalValues[d.u32()];
            default: throw new IllegalStateException("const expr op 0x" + Integer.toHexString(op));
        }
    }

    private long fixed(int n) {
        long v = 0;
        for (int k = 0; k < n; k++) v |= (b[pos + k] & 0xFFL) << (8 * k);
        pos += n;
        return v;
    }
}
