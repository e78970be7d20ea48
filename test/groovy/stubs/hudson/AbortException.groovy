package hudson

/** Stand-in for hudson.AbortException, which Jenkins' error() step throws. */
class AbortException extends IOException {
    AbortException(String message) { super(message) }
}
