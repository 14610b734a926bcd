import AssayStore
import AssayDetectors

/// Errors from pipeline operations (captures, datasets, replays). Cases carry the place.
public enum PipelineError: CategorizedError, Sendable, Equatable {
    /// Input data that cannot be used as asked; `place` is the artifact or file and line.
    case invalidInput(place: String, problem: String, fix: String)
    /// A remote model endpoint that cannot be reached or answers with an error.
    case remote(url: String, problem: String, fix: String)

    public var category: ErrorCategory { .usage }

    public var description: String {
        switch self {
        case .invalidInput(let place, let problem, let fix):
            return fix.isEmpty ? "\(place): \(problem)" : "\(place): \(problem). \(fix)"
        case .remote(let url, let problem, let fix):
            return "\(url): \(problem). \(fix)"
        }
    }
}

extension PipelineError {
    /// A detector's error as an input error at `place` (its own place, problem and fix kept),
    /// or, for any other error, `problem` from its description and `fix`.
    static func detector(_ error: any Error, place: String, fix: String) -> PipelineError {
        switch error as? DetectorError {
        case .invalidData(let where_, let problem, let detectorFix)?:
            return .invalidInput(place: "\(place), \(where_)", problem: problem, fix: detectorFix)
        case .invalidParameter(let name, let problem, let valid)?:
            return .invalidInput(place: "\(place), parameter \(name)", problem: problem, fix: valid)
        case nil:
            if let p = error as? PipelineError { return p }
            return .invalidInput(place: place, problem: "\(error)", fix: fix)
        }
    }
}
