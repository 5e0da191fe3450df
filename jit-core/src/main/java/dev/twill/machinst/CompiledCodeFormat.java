package dev.twill.machinst;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A byte format for {@link CompiledCode}, so that compiled functions can be kept on disk and
 * linked later without compiling again (a code cache).
 *
 * <p>Per function: the code length and bytes; the number of relocations and each one's offset,
 * kind (by name, so reordering the enum cannot silently change a meaning), target and addend;
 * the number of trap sites and each one's offset and code; the frame size; the self-contained
 * flag. Integers are big-endian ({@link DataOutput}).
 *
 * <p>Reading checks everything the linker would otherwise trust: lengths are non-negative and
 * within {@link #MAX_CODE_BYTES}, offsets lie inside the code, kinds exist. Input that fails a
 * check is an {@link IOException}: a cache treats it as a miss. These checks catch damage
 * (truncation, a bad disk), not malice: code read back runs as it is, so whoever can write the
 * bytes can run code, and a cache must live where only its owner can write.
 */
public final class CompiledCodeFormat {
    private CompiledCodeFormat() {}

    /** Larger functions are refused on reading: a damaged length must not become a huge allocation. */
    public static final int MAX_CODE_BYTES = 1 << 30;

    public static void write(DataOutput out, CompiledCode c) throws IOException {
        out.writeInt(c.code().length);
        out.write(c.code());
        out.writeInt(c.relocations().length);
        for (CompiledCode.Relocation r : c.relocations()) {
            out.writeInt(r.offset());
            out.writeUTF(r.kind().name());
            out.writeUTF(r.target());
            out.writeLong(r.addend());
        }
        out.writeInt(c.traps().length);
        for (int k = 0; k < c.traps().length; k++) {
            out.writeInt(c.traps()[k]);
            out.writeInt(c.trapCodes()[k]);
        }
        out.writeInt(c.frameSize());
        out.writeBoolean(c.selfContained());
    }

    public static CompiledCode read(DataInput in) throws IOException {
        int size = in.readInt();
        if (size < CompiledCode.HEADER_SIZE || size > MAX_CODE_BYTES) throw new IOException("bad code size " + size);
        byte[] code = new byte[size];
        in.readFully(code);
        int nr = count(in, size);
        CompiledCode.Relocation[] relocations = new CompiledCode.Relocation[nr];
        for (int k = 0; k < nr; k++) {
            int offset = in.readInt();
            String kind = in.readUTF();
            String target = in.readUTF();
            long addend = in.readLong();
            CompiledCode.RelocKind rk = null;
            for (CompiledCode.RelocKind candidate : CompiledCode.RelocKind.values()) if (candidate.name().equals(kind)) rk = candidate;
            if (rk == null) throw new IOException("unknown relocation kind " + kind);
            int width = rk == CompiledCode.RelocKind.ABS64 ? 8 : 4;
            if (offset < 0 || offset > size - width) throw new IOException("relocation at " + offset + " outside the code");
            relocations[k] = new CompiledCode.Relocation(offset, rk, target, addend);
        }
        int nt = count(in, size);
        int[] traps = new int[nt], trapCodes = new int[nt];
        for (int k = 0; k < nt; k++) {
            traps[k] = in.readInt();
            trapCodes[k] = in.readInt();
            if (traps[k] < 0 || traps[k] >= size) throw new IOException("trap site " + traps[k] + " outside the code");
        }
        int frameSize = in.readInt();
        if (frameSize < 0) throw new IOException("negative frame size");
        return new CompiledCode(code, relocations, traps, trapCodes, frameSize, in.readBoolean());
    }

    /** A count of records attached to code of {@code size} bytes: at most one per byte. */
    private static int count(DataInput in, int size) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > size) throw new IOException("bad record count " + n);
        return n;
    }
}
