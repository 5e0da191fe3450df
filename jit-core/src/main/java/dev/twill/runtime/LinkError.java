package dev.twill.runtime;

/**
 * A module cannot be linked: an undefined or duplicate name, a relocation whose target is
 * unknown or out of reach, a signature the host cannot call.
 */
public final class LinkError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LinkError(String message) {
        super(message);
    }
}
