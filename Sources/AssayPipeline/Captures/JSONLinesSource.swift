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
        while let slice = try reader.next() {
            let text = Array(slice)
            if text.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let line = reader.lineNumber
            let json: JSONValue
            do { json = try JSONValue.parse(text) } catch {
                let truncated = reader.lastLineWasUnterminated ? " (the last line has no line break: the file may be truncated)" : ""
                return .bad(line: line, raw: text, problem: CaptureProblem("not valid JSON: \(error.message)\(truncated)", fix: "Each line must be one JSON object."))
            }
            guard case .object(var o) = json else {
                return .bad(line: line, raw: text, problem: CaptureProblem("the line is \(CapturePayload.kind(json)), not a JSON object"))
            }
            do {
                return .event(try row(&o, line: line))
            } catch {
                return .bad(line: line, raw: text, problem: error)
            }
        }
        return nil
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
