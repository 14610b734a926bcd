/// The source formats `assay capture import` reads.
public enum CaptureFormat: String, Sendable, CaseIterable {
    /// Seldon Core v1 request-logger CloudEvents (structured JSON Lines or binary-mode records).
    case seldon
    /// KServe payload-logger CloudEvents (structured JSON Lines or binary-mode records).
    case kserve
    /// Open Inference Protocol request and response objects, one per line, joined on `id`.
    case v2
    /// JSON Lines rows of features with optional `request_id`, `timestamp`, `model`, `truth`.
    case jsonl
    /// CSV with a header row; `request_id`, `timestamp`, `model`, `truth` columns when present.
    case csv
    /// A NumPy `.npy` array, one event per row.
    case npy
    /// Truth rows `{"request_id", "truth", "reward"?}` joined onto an existing capture
    /// (`--capture ID`), giving a new capture.
    case truth

    /// Parses a format name.
    /// - Throws: ``PipelineError/invalidInput(place:problem:fix:)`` naming the known formats.
    public static func parse(_ text: String) throws(PipelineError) -> CaptureFormat {
        guard let f = CaptureFormat(rawValue: text.lowercased()) else {
            throw .invalidInput(place: "--format", problem: "unknown capture format \(text)",
                                fix: "Use one of: \(allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return f
    }
}

/// What to do with a record of the source that cannot be read.
public enum CaptureErrorPolicy: String, Sendable, CaseIterable {
    /// Stop at the first bad record (exit 2), naming its line.
    case fail
    /// Keep going; bad records are kept verbatim in a quarantine artifact, an output of the run.
    case skip
}
