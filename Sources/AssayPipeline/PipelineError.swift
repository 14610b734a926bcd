import AssayStore

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
