import AssayStore

/// Reads JSON Lines rows (format `jsonl`) or truth rows (format `truth`).
///
/// A `jsonl` row is one object: optional `request_id` (string or integer), `timestamp` (RFC 3339
/// or Unix seconds), `model`, `truth`; every other member is a feature. The features become one
/// `[1, k]` tensor `features` whose `names` are the member names in sorted order (JSON objects
/// have no order of their own). A `truth` row is `{"request_id", "truth", "reward"?}`.
final class JSONLinesSource {
    private let reader: LineReader
    private let truthRows: Bool

    init(path: String, truthRows: Bool) throws(PipelineError) {
        reader = try LineReader(path: path)
        self.truthRows = truthRows
    }

    func next() throws(PipelineError) -> CaptureSourceItem? {
        switch try reader.nextJSONObject(expected: "a JSON object") {
        case nil: return nil
        case .bad(let line, let raw, let problem)?: return .bad(line: line, raw: raw, problem: problem)
        case .object(let line, let raw, var o)?:
            do {
                return .event(try row(&o, line: line))
            } catch {
                return .bad(line: line, raw: raw, problem: error)
            }
        }
    }

    private func row(_ o: inout [String: JSONValue], line: Int) throws(CaptureProblem) -> CaptureEvent {
        var e = CaptureEvent(status: truthRows ? .truthOnly : .row)
        if let id = o.removeValue(forKey: RowValues.requestIDColumn), !id.isNull {
            guard let text = RowValues.requestID(id) else { throw CaptureProblem("request_id \(id) is neither a string nor an integer") }
            e.requestID = text
        }
        if let t = o.removeValue(forKey: RowValues.timestampColumn), !t.isNull {
            guard let ts = RowValues.timestamp(t) else { throw CaptureProblem("timestamp \(t) is neither RFC 3339 nor Unix seconds") }
            e.timestamp = ts
        }
        if let m = o.removeValue(forKey: RowValues.modelColumn), !m.isNull {
            guard let s = m.stringValue else { throw CaptureProblem("model \(m) is not a string") }
            e.model = s
        }
        let truth = o.removeValue(forKey: RowValues.truthColumn)
        if let truth, !truth.isNull { e.truth = [try RowValues.truth(truth)] }
        if truthRows {
            guard e.requestID != nil else { throw CaptureProblem("the truth row has no request_id", fix: "Each truth row needs the request_id it belongs to.") }
            if let reward = o.removeValue(forKey: "reward"), !reward.isNull {
                guard let r = reward.doubleValue, r.isFinite else { throw CaptureProblem("reward \(reward) is not a number") }
                e.reward = .double(r)
            }
            guard e.truth != nil || e.reward != nil else { throw CaptureProblem("the truth row has neither truth nor reward") }
            e.truthLine = line
            return e
        }
        let names = o.keys.sorted()
        guard !names.isEmpty else { throw CaptureProblem("the row has no features", fix: "Give each row at least one feature besides request_id, timestamp, model and truth.") }
        e.inputs = [RowValues.features(names, names.map { o[$0] ?? .null })]
        e.requestLine = line
        if e.truth != nil { e.truthLine = line }
        return e
    }
}
