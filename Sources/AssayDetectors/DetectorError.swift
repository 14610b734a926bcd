/// Errors from detectors: bad parameters and data a detector cannot use. The pipeline reports
/// them as input errors (exit code 2), naming the detector and the place.
public enum DetectorError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A parameter with a value the detector cannot take; `valid` says what it can take.
    case invalidParameter(name: String, problem: String, valid: String)
    /// Data the detector cannot work on (`place` names the feature, row or column).
    case invalidData(place: String, problem: String, fix: String)

    public var description: String {
        switch self {
        case .invalidParameter(let name, let problem, let valid):
            return "parameter \(name): \(problem). \(valid)"
        case .invalidData(let place, let problem, let fix):
            return "\(place): \(problem). \(fix)"
        }
    }
}
