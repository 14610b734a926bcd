import AssayNumerics

/// What every detector is: a value that turns a batch into a result, deterministically.
///
/// A detector takes tensors and parameters and returns a value; it does no I/O. Randomness comes
/// only from `rng`, which the caller derives from the run's seed. Bump ``version`` whenever the
/// output bytes for the same inputs change.
public protocol Detector: Sendable {
    associatedtype Output: Codable & Sendable
    /// A stable name such as `drift.ks`, recorded in the lineage.
    static var kind: String { get }
    /// The output format and algorithm version.
    static var version: Int { get }
    /// Applies the detector to a batch (rows are instances).
    func detect(_ x: Tensor<Double>, rng: inout SeededGenerator) throws -> Output
}
