import AssayStore

/// Reads Open Inference Protocol (KServe V2) request and response bodies, one JSON object per
/// line (format `v2`): a line with `inputs` is a request, one with `outputs` a response; they
/// are joined on `id`. A line may also carry `timestamp` (RFC 3339 or Unix seconds), an Assay
/// extension for logs that record it.
final class OpenInferenceSource {
    private let reader: LineReader

    init(path: String) throws(PipelineError) {
        reader = try LineReader(path: path)
    }

    func next() throws(PipelineError) -> CaptureSourceItem? {
        while let item = try reader.nextJSONObject(expected: "a V2 request or response object") {
            guard case .object(let line, let text, var o) = item else {
                if case .bad(let line, let raw, let problem) = item { return .bad(line: line, raw: raw, problem: problem) }
                continue
            }
            var time: CaptureTimestamp?
            if let t = o.removeValue(forKey: "timestamp") {
                guard let parsed = RowValues.timestamp(t) else {
                    return .bad(line: line, raw: text, problem: CaptureProblem("timestamp \(t) is neither RFC 3339 nor Unix seconds"))
                }
                time = parsed
            }
            let isRequest = o["inputs"]?.arrayValue != nil
            let isResponse = o["outputs"]?.arrayValue != nil
            guard isRequest != isResponse else {
                return .bad(line: line, raw: text, problem: CaptureProblem(isRequest ? "the line has both inputs and outputs" : "the line has neither an inputs nor an outputs list",
                                                                           fix: "Each line must be one V2 request ({id, inputs}) or response ({model_name, id, outputs})."))
            }
            do {
                let payload = try CapturePayload.decode(.object(o))
                var e = CaptureEvent(status: isRequest ? .requestOnly : .responseOnly)
                e.requestID = payload.id
                e.model = payload.modelName
                e.modelVersion = payload.modelVersion
                if isRequest {
                    e.inputs = payload.tensors
                    e.requestMeta = payload.meta
                    e.requestLine = line
                    e.timestamp = time
                } else {
                    e.outputs = payload.tensors
                    e.responseMeta = payload.meta
                    e.responseLine = line
                    e.responseTimestamp = time
                }
                return .event(e)
            } catch {
                return .bad(line: line, raw: text, problem: error)
            }
        }
        return nil
    }
}
