/// How an error is reported to the user; only the executable maps a category to an exit code.
///
/// | category | exit code | meaning |
/// |---|---|---|
/// | ``usage`` | 2 | bad arguments or bad input: the user can fix it |
/// | ``checkFailed`` | 1 | a check ran and failed (fsck found damage, a verification failed) |
/// | ``internal`` | 3 | a bug or an environment failure Assay cannot explain |
public enum ErrorCategory: String, Sendable, Codable {
    case usage
    case checkFailed = "check_failed"
    case `internal`
}

/// An error that knows its category and, where it applies, the place it concerns.
public protocol CategorizedError: Error, CustomStringConvertible {
    /// What kind of failure this is, for the exit code.
    var category: ErrorCategory { get }
}
