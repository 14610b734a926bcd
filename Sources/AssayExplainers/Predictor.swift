import AssayNumerics

/// Errors from explainers: bad parameters, data they cannot use, a model that failed, a budget
/// spent. Each names the place and says what to do.
public enum ExplainerError: Error, CustomStringConvertible, Sendable, Equatable {
    case invalidParameter(name: String, problem: String, valid: String)
    case invalidData(place: String, problem: String, fix: String)
    /// The model failed on a call; `calls` were made before (they count against the budget).
    case modelFailed(call: Int, problem: String)
    /// The search needed more model calls than `--max-calls` allows.
    case budgetExhausted(limit: Int, needed: String)

    public var description: String {
        switch self {
        case .invalidParameter(let name, let problem, let valid): "parameter \(name): \(problem). \(valid)"
        case .invalidData(let place, let problem, let fix): "\(place): \(problem). \(fix)"
        case .modelFailed(let call, let problem): "the model failed on call \(call): \(problem). The calls made so far are accounted."
        case .budgetExhausted(let limit, let needed): "the explanation needs more than the \(limit) model calls allowed (\(needed)). Raise --max-calls, or lower the sample sizes."
        }
    }
}

/// The model an explainer queries: a batch of rows in, one row of outputs per input row out
/// (class probabilities, or a single score). Every call is counted and bounded.
///
/// Explainers never call the model directly; they call ``callAsFunction(_:)``, which checks the
/// budget first, counts the call and the rows, and reports progress. The model may be an
/// in-process ONNX session or a remote endpoint: the closure hides which.
public final class Predictor: @unchecked Sendable {
    // @unchecked: the counters are only touched from the explaining thread (explainers call the
    // model sequentially; a model may parallelise inside a call).
    private let body: (Tensor<Double>) throws -> Tensor<Double>
    /// Features per input row.
    public let inputWidth: Int
    /// The largest number of calls allowed (`nil`: unbounded).
    public let maxCalls: Int?
    /// Calls made so far.
    public private(set) var calls = 0
    /// Rows sent so far.
    public private(set) var rows = 0
    /// Called after each call with the number of calls made.
    public var progress: ((Int) -> Void)?

    public init(inputWidth: Int, maxCalls: Int? = nil, _ body: @escaping (Tensor<Double>) throws -> Tensor<Double>) {
        self.inputWidth = inputWidth
        self.maxCalls = maxCalls
        self.body = body
    }

    /// The model's outputs for the rows of `x` (rows × ``inputWidth``).
    /// - Throws: ``ExplainerError/budgetExhausted(limit:needed:)`` before a call beyond
    ///   ``maxCalls``; ``ExplainerError/modelFailed(call:problem:)`` when the model throws or
    ///   answers with another number of rows or a non-finite value.
    public func callAsFunction(_ x: Tensor<Double>) throws(ExplainerError) -> Tensor<Double> {
        if let maxCalls, calls >= maxCalls {
            throw .budgetExhausted(limit: maxCalls, needed: "call \(calls + 1)")
        }
        calls += 1
        rows += x.rowCount
        let out: Tensor<Double>
        do { out = try body(x) } catch { throw .modelFailed(call: calls, problem: "\(error)") }
        progress?(calls)
        guard out.rowCount == x.rowCount else {
            throw .modelFailed(call: calls, problem: "answered \(out.rowCount) rows for \(x.rowCount)")
        }
        if let (i, v) = out.firstNonFinite() {
            throw .modelFailed(call: calls, problem: "output \(i) is \(v)")
        }
        return out
    }
}
