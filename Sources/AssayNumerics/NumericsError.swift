/// Errors from numerical kernels: bad shapes and values that cannot be computed. Callers map
/// them to input errors (they almost always come from user data).
public enum NumericsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A tensor's scalar count does not match its shape, or two operands disagree.
    case shapeMismatch(String)
    /// An argument outside the domain of a function (n < 1, p outside [0, 1], …).
    case domain(String)
    /// A NaN or infinity where a finite number is required; `where` names the place.
    case nonFinite(where: String)
    /// An algorithm that did not converge or hit a degenerate case (singular matrix, …).
    case notComputable(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let s): return "shape mismatch: \(s)"
        case .domain(let s): return "out of domain: \(s)"
        case .nonFinite(let w): return "\(w): NaN or infinity where a finite number is required"
        case .notComputable(let s): return "cannot compute: \(s)"
        }
    }
}
