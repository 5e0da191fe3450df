package dev.twill.machinst;

/**
 * A register allocator: assigns every operand of a {@link VCode} a location satisfying its
 * constraint, and lists the moves that make the assignment consistent. Implementations keep
 * their working memory between calls (one instance per compiling thread).
 */
public interface RegisterAllocator {
    void allocate(VCode code, MachineEnv env, RegAllocResult out);
}
