import AssayStore

/// One capture event as a replay uses it: its rows of features, and the outputs recorded in the
/// capture when the pipeline's model is `recorded`.
struct ReplayEvent: Sendable {
    /// Position in the capture, from 0.
    var index: Int
    var requestID: String?
    var timestamp: CaptureTimestamp?
    /// The event's line in the capture artifact (the header is line 1).
    var line: Int
    /// Rows in the event (its batch dimension) and values per row.
    var rows: Int
    var width: Int
    /// `rows × width` values, row-major: the input tensors of each row, concatenated in order.
    var features: [Double]
    /// The recorded outputs, `rows × width` the same way, when the pipeline reads them.
    var recorded: (width: Int, values: [Double])?
    /// The model's outputs, filled in by the replay.
    var outputs: (width: Int, values: [Double])?

    /// Decodes `event` (capture line `line`); `recorded` asks for its outputs too. The general
    /// path, which also explains what is wrong with an event.
    init(_ event: CaptureEvent, index: Int, line: Int, capture: ArtifactID, recorded: Bool) throws(PipelineError) {
        let place = ReplayEvent.place(capture: capture, line: line, index: index, requestID: event.requestID)
        guard let inputs = event.inputs, !inputs.isEmpty else {
            throw PipelineError.invalidInput(place: place, problem: "the event has no inputs (status \(event.status.rawValue): the log holds no request for it)",
                                             fix: "Replay a capture whose events have requests; `assay show` on the capture counts responses without request.")
        }
        var outputs: [NumericTensor]?
        if recorded {
            guard let o = event.outputs, !o.isEmpty else {
                throw PipelineError.invalidInput(place: place, problem: "the pipeline reads recorded outputs (`model: recorded`) and this event has none (status \(event.status.rawValue))",
                                                 fix: "Name a model in the spec to compute the outputs, or replay a capture with responses.")
            }
            outputs = try o.map { (t: CaptureTensor) throws(PipelineError) in try ReplayEvent.numeric(t, place: place) }
        }
        try self.init(index: index, line: line, requestID: event.requestID, timestamp: event.timestamp, capture: capture,
                      inputs: try inputs.map { (t: CaptureTensor) throws(PipelineError) in try ReplayEvent.numeric(t, place: place) },
                      outputs: outputs)
    }

    /// An event from its numeric tensors.
    init(index: Int, line: Int, requestID: String?, timestamp: CaptureTimestamp?, capture: ArtifactID,
         inputs: [NumericTensor], outputs: [NumericTensor]?) throws(PipelineError) {
        self.index = index
        self.requestID = requestID
        self.timestamp = timestamp
        self.line = line
        let place = ReplayEvent.place(capture: capture, line: line, index: index, requestID: requestID)
        let m = try ReplayEvent.matrix(inputs, what: "inputs", place: place)
        rows = m.rows
        width = m.width
        features = m.values
        if let outputs {
            let o = try ReplayEvent.matrix(outputs, what: "outputs", place: place)
            guard o.rows == rows else {
                throw PipelineError.invalidInput(place: place, problem: "\(rows) input rows but \(o.rows) output rows", fix: "The request and response of this event do not match; re-import the capture.")
            }
            self.recorded = (o.width, o.values)
        }
    }

    static func place(capture: ArtifactID, line: Int, index: Int, requestID: String?) -> String {
        "\(capture.short): line \(line) (event \(index)\(requestID.map { ", request \($0)" } ?? ""))"
    }

    /// Tensors as one matrix: every tensor's first dimension is the batch; a row is the
    /// concatenation of each tensor's row.
    static func matrix(_ tensors: [NumericTensor], what: String, place: String) throws(PipelineError) -> (rows: Int, width: Int, values: [Double]) {
        var rows: Int?
        var parts: [(width: Int, values: [Double])] = []
        for t in tensors {
            let batch = t.shape.first ?? 1
            let width = t.shape.dropFirst().reduce(1, *)
            guard batch >= 0, width >= 0, batch.multipliedReportingOverflow(by: width) == (t.values.count, false) else {
                throw PipelineError.invalidInput(place: place, problem: "\(what) tensor \(t.name) has shape \(t.shape) and \(t.values.count) values",
                                                 fix: "The capture is damaged; import it again.")
            }
            if let rows, rows != batch {
                throw PipelineError.invalidInput(place: place, problem: "\(what) tensors disagree on the batch size (\(rows) and \(batch) rows)",
                                                 fix: "Every tensor of an event needs the same first dimension.")
            }
            rows = batch
            parts.append((width, t.values))
        }
        let n = rows ?? 0
        if parts.count == 1 { return (n, parts[0].width, parts[0].values) }
        let width = parts.reduce(0) { $0 + $1.width }
        var values: [Double] = []
        values.reserveCapacity(n * width)
        for r in 0..<n {
            for p in parts { values.append(contentsOf: p.values[(r * p.width)..<((r + 1) * p.width)]) }
        }
        return (n, width, values)
    }

    /// A tensor's data as doubles: FP32 values read as the float32 they were written from; NaN
    /// for `null` (NaN and infinities in the source).
    static func numeric(_ t: CaptureTensor, place: String) throws(PipelineError) -> NumericTensor {
        let narrow: Bool
        switch t.datatype {
        case "FP32", "FP16", "BF16": narrow = true
        case "FP64", "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64": narrow = false
        default:
            throw PipelineError.invalidInput(place: place, problem: "tensor \(t.name) holds \(t.datatype) values",
                                             fix: "Replays feed numbers to detectors; encode features as numeric tensors.")
        }
        var out = [Double](repeating: .nan, count: t.data.count)
        for (i, v) in t.data.enumerated() {
            switch v {
            case .double(let d): out[i] = narrow && d.isFinite ? Double(Float(d)) : d
            case .integer(let digits): out[i] = Double(digits).map { narrow && $0.isFinite ? Double(Float($0)) : $0 } ?? .nan
            case .bool(let b): out[i] = b ? 1 : 0
            case .null: out[i] = .nan
            default:
                throw PipelineError.invalidInput(place: place, problem: "tensor \(t.name) value \(i) is not a number", fix: "The capture is damaged; import it again.")
            }
        }
        return NumericTensor(name: t.name, datatype: t.datatype, shape: t.shape, values: out)
    }
}
