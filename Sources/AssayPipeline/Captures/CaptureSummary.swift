import AssayStore

/// The counts of an imported capture: written as the capture's first line (without the ids of
/// the capture, quarantine and run) and printed by `assay capture import --json`.
public struct CaptureSummary: Sendable, Equatable {
    public var sourceFormat: CaptureFormat
    /// The stored source file (an input of the run).
    public var source: ArtifactID
    /// The capture truth was joined onto (format `truth`).
    public var baseCapture: ArtifactID?
    public var events = 0
    public var complete = 0
    public var rows = 0
    public var requestsWithoutResponse = 0
    public var responsesWithoutRequest = 0
    public var truthWithoutRequest = 0
    /// Events that carry truth.
    public var withTruth = 0
    /// Requests beyond the first with the same request id (and model, for Seldon).
    public var duplicateRequests = 0
    /// Truth records beyond the first for the same request id (the last one wins).
    public var duplicateTruth = 0
    /// Distinct input signatures (name, datatype, shape without the batch dimension, column
    /// names) with their event counts, most frequent first; at most 64, the rest in
    /// ``otherSignatureEvents``.
    public var inputSignatures: [(signature: String, events: Int)] = []
    public var otherSignatureEvents = 0
    /// Source records quarantined (`--on-error skip`).
    public var quarantined = 0
    /// Well-formed events of other types (Seldon outlier, drift, reference), by type.
    public var ignored: [String: Int] = [:]
    /// The capture, quarantine and run (not in the capture's own header).
    public var capture: ArtifactID?
    public var quarantine: ArtifactID?
    public var run: RunID?

    public static func == (a: CaptureSummary, b: CaptureSummary) -> Bool { a.json == b.json }

    /// Whether events have inputs of more than one signature.
    public var mixedShapes: Bool { inputSignatures.count + (otherSignatureEvents > 0 ? 1 : 0) > 1 }

    /// The header document of the capture.
    var header: JSONValue {
        .object([
            "format": "assay.capture.v1",
            "source_format": .string(sourceFormat.rawValue),
            "source": .string(source.rawValue),
            "base_capture": baseCapture.map { .string($0.rawValue) } ?? .null,
            "events": JSONValue(events),
            "complete": JSONValue(complete),
            "rows": JSONValue(rows),
            "requests_without_response": JSONValue(requestsWithoutResponse),
            "responses_without_request": JSONValue(responsesWithoutRequest),
            "truth_without_request": JSONValue(truthWithoutRequest),
            "with_truth": JSONValue(withTruth),
            "duplicate_requests": JSONValue(duplicateRequests),
            "duplicate_truth": JSONValue(duplicateTruth),
            "input_signatures": .array(inputSignatures.map { .object(["signature": .string($0.signature), "events": JSONValue($0.events)]) }),
            "other_signature_events": JSONValue(otherSignatureEvents),
            "mixed_shapes": .bool(mixedShapes),
            "quarantined": JSONValue(quarantined),
            "ignored": .object(ignored.mapValues { JSONValue($0) }),
        ])
    }

    /// The header plus the capture, quarantine and run ids: the `--json` summary.
    public var json: JSONValue {
        guard case .object(var o) = header else { return header }
        o["capture"] = capture.map { .string($0.rawValue) } ?? .null
        o["quarantine"] = quarantine.map { .string($0.rawValue) } ?? .null
        o["run"] = run.map { .string($0.rawValue) } ?? .null
        return .object(o)
    }
}
