import AssayStore

/// One event of a capture: a request and the response it got, as far as the log recorded them,
/// with the truth when known.
///
/// While a capture is imported, an event also stands for one half read from the source (a
/// request, a response, a feedback); the import joins the halves by request id.
///
/// Written as one canonical JSON object per line (see <doc:CaptureFormat>), every key present:
/// `request_id`, `model`, `model_version`, `timestamp`, `response_timestamp`, `status`, `inputs`,
/// `outputs`, `truth`, `reward`, `puid`, `attributes`, `meta`, `lines`.
public struct CaptureEvent: Sendable, Hashable {
    /// What the event holds.
    public enum Status: String, Sendable {
        /// A request and its response.
        case complete
        /// A request the log has no response for (a failed call, or a dropped log).
        case requestOnly = "request_only"
        /// A response the log has no request for.
        case responseOnly = "response_only"
        /// Feedback (truth) for a request id the capture has no event for.
        case truthOnly = "truth_only"
        /// A row of a table (JSON Lines, CSV, NumPy): inputs, perhaps truth, no response.
        case row
    }

    /// The correlation id: Seldon's `Ce-Requestid` (the puid), KServe's `Ce-Id`, the V2 `id`, a
    /// `request_id` column; `nil` when the source has none.
    public var requestID: String?
    /// The model or graph node: Seldon's `Ce-Modelid`, the V2 `model_name`, KServe's
    /// InferenceService name when the response names no model.
    public var model: String?
    /// The V2 `model_version`; for Seldon the image `meta.requestPath` names for the node.
    public var modelVersion: String?
    /// When the request was made (the request event's time), else the response's time.
    public var timestamp: CaptureTimestamp?
    /// When the response was logged.
    public var responseTimestamp: CaptureTimestamp?
    public var status: Status
    public var inputs: [CaptureTensor]?
    public var outputs: [CaptureTensor]?
    public var truth: [CaptureTensor]?
    /// Seldon feedback's `reward`.
    public var reward: JSONValue?
    /// Seldon's `meta.puid` from the body, which need not equal the request id.
    public var puid: String?
    /// CloudEvent attributes of the request and the response event (lower-case names without
    /// the `ce-` prefix, plus `content-type`), verbatim.
    public var requestAttributes: [String: String]?
    public var responseAttributes: [String: String]?
    /// Body metadata: Seldon's `meta`, V2 request or response `parameters`.
    public var requestMeta: JSONValue?
    public var responseMeta: JSONValue?
    /// 1-based source lines (or record start lines) of the request, response and truth.
    public var requestLine: Int?
    public var responseLine: Int?
    public var truthLine: Int?

    public init(status: Status) { self.status = status }

    /// The canonical JSON object of one capture line.
    public var json: JSONValue {
        func tensors(_ t: [CaptureTensor]?) -> JSONValue { t.map { .array($0.map(\.json)) } ?? .null }
        func attributes(_ a: [String: String]?) -> JSONValue { a.map { .object($0.mapValues(JSONValue.string)) } ?? .null }
        func pair(_ a: JSONValue, _ b: JSONValue) -> JSONValue { a.isNull && b.isNull ? .null : .object(["request": a, "response": b]) }
        func line(_ n: Int?) -> JSONValue { n.map { JSONValue($0) } ?? .null }
        return .object([
            "request_id": requestID.map(JSONValue.string) ?? .null,
            "model": model.map(JSONValue.string) ?? .null,
            "model_version": modelVersion.map(JSONValue.string) ?? .null,
            "timestamp": timestamp.map { .string($0.description) } ?? .null,
            "response_timestamp": responseTimestamp.map { .string($0.description) } ?? .null,
            "status": .string(status.rawValue),
            "inputs": tensors(inputs), "outputs": tensors(outputs), "truth": tensors(truth),
            "reward": reward ?? .null,
            "puid": puid.map(JSONValue.string) ?? .null,
            "attributes": pair(attributes(requestAttributes), attributes(responseAttributes)),
            "meta": pair(requestMeta ?? .null, responseMeta ?? .null),
            "lines": .object(["request": line(requestLine), "response": line(responseLine), "truth": line(truthLine)]),
        ])
    }

    /// Reads back ``json`` (a line of a capture, or a record spilled while importing).
    public init?(json: JSONValue) {
        guard let statusText = json["status"]?.stringValue, let status = Status(rawValue: statusText) else { return nil }
        self.status = status
        func string(_ v: JSONValue?) -> String? { v?.stringValue }
        func tensors(_ v: JSONValue?) -> [CaptureTensor]? { v?.arrayValue.map { $0.compactMap(CaptureTensor.init(json:)) } }
        func attributes(_ v: JSONValue?) -> [String: String]? { v?.objectValue?.compactMapValues(\.stringValue) }
        func nonNull(_ v: JSONValue?) -> JSONValue? { v.flatMap { (v: JSONValue) -> JSONValue? in v.isNull ? Optional<JSONValue>.none : v } }
        requestID = string(json["request_id"])
        model = string(json["model"])
        modelVersion = string(json["model_version"])
        timestamp = string(json["timestamp"]).flatMap(CaptureTimestamp.init(parsing:))
        responseTimestamp = string(json["response_timestamp"]).flatMap(CaptureTimestamp.init(parsing:))
        inputs = tensors(json["inputs"])
        outputs = tensors(json["outputs"])
        truth = tensors(json["truth"])
        reward = nonNull(json["reward"])
        puid = string(json["puid"])
        requestAttributes = attributes(json["attributes"]?["request"])
        responseAttributes = attributes(json["attributes"]?["response"])
        requestMeta = nonNull(json["meta"]?["request"])
        responseMeta = nonNull(json["meta"]?["response"])
        requestLine = json["lines"]?["request"]?.intValue
        responseLine = json["lines"]?["response"]?.intValue
        truthLine = json["lines"]?["truth"]?.intValue
    }

    /// Joins a response half into this request half.
    mutating func absorb(response r: CaptureEvent) {
        status = .complete
        outputs = r.outputs
        responseTimestamp = r.responseTimestamp ?? r.timestamp
        responseAttributes = r.responseAttributes
        responseMeta = r.responseMeta
        responseLine = r.responseLine
        model = model ?? r.model
        modelVersion = r.modelVersion ?? modelVersion
        puid = puid ?? r.puid
    }

    /// The first line of the source this event comes from.
    var firstLine: Int { [requestLine, responseLine, truthLine].compactMap { $0 }.min() ?? 0 }
}
