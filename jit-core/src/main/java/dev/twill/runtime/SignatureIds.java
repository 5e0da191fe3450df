package dev.twill.runtime;

import dev.twill.ir.Signature;
import java.util.HashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The 32-bit signature ids in function headers, which {@code call_indirect} compares (see {@link
 * dev.twill.machinst.CompiledCode}): FNV-1a (Fowler, Noll, Vo; 32-bit offset basis 0x811C9DC5,
 * prime 0x01000193) over the UTF-16 code units of the signature's canonical text ({@link
 * Signature#toString}), so structurally equal signatures get equal ids in every module and every
 * process, and a back end can compute the id a call site expects at compile time ({@code
 * X64Abi.signatureId} computes the same value).
 *
 * <p>A 32-bit hash can collide, and a collision would let {@code call_indirect} call a function
 * of another type: a sandbox hole. So every id handed out is recorded with its signature, and a
 * second, different signature with the same id (or id 0, which zeroed memory would match) is
 * refused with a {@link LinkError} rather than given a clashing id. The table only grows;
 * programs use few distinct signatures.
 */
public final class SignatureIds {
    private SignatureIds() {}

    private static final HashMap<Integer, Signature> SEEN = new HashMap<>();
    /**
     * Ids already handed out, by (structurally equal) signature: every compiled function asks for
     * its own id and for those of its indirect calls, so the common case is a lookup without the
     * text, the hash or the lock.
     */
    private static final ConcurrentHashMap<Signature, Integer> KNOWN = new ConcurrentHashMap<>();

    /** The FNV-1a hash of the signature's text, without the collision check. */
    public static int hash(Signature sig) {
        String s = sig.toString();
        int h = 0x811C9DC5;
        for (int k = 0; k < s.length(); k++) {
            h ^= s.charAt(k);
            h *= 0x01000193;
        }
        return h;
    }

    /** The id of {@code sig}; throws LinkError if it collides with another signature's. */
    public static int idOf(Signature sig) {
        Integer known = KNOWN.get(sig);
        return known != null ? known : register(sig);
    }

    private static synchronized int register(Signature sig) {
        int id = hash(sig);
        if (id == 0) throw new LinkError("signature " + sig + " hashes to the reserved id 0");
        Signature prior = SEEN.putIfAbsent(id, sig);
        if (prior != null && !prior.equals(sig)) {
            throw new LinkError("signatures " + prior + " and " + sig + " collide on id 0x" + Integer.toHexString(id));
        }
        KNOWN.put(sig, id);
        return id;
    }
}
