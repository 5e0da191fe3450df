package dev.twill.runtime;

import dev.twill.ir.Signature;
import java.util.HashMap;

/**
 * Process-wide ids for signatures, for the header word that {@code call_indirect} checks (see
 * {@link dev.twill.machinst.CompiledCode}). Structurally equal signatures get the same id, so a
 * back end can compute the id a call site expects at compile time and the module writes the
 * same id into every function's header at link time, with no relocation in between.
 *
 * <p>Ids start at 1: 0 never names a signature, so a pointer to zeroed memory never passes the
 * check. The table only grows; programs use few distinct signatures.
 */
public final class SignatureIds {
    private SignatureIds() {}

    private static final HashMap<Signature, Integer> IDS = new HashMap<>();

    /** The id of {@code sig}, assigned on first use. */
    public static synchronized int idOf(Signature sig) {
        Integer id = IDS.get(sig);
        if (id == null) {
            id = IDS.size() + 1;
            IDS.put(sig, id);
        }
        return id;
    }
}
