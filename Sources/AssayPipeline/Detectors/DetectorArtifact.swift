import AssayStore

/// The JSON document stored as a fitted detector's artifact (canonical JSON, so the same fit
/// gives the same bytes):
///
/// ```json
/// {"assay":"detector","columns":["a","b"],"features":2,"format":1,"kind":"drift.ks",
///  "parameters":{"alternative":"two-sided","correction":"bonferroni","drift_type":"batch",
///  "method":"asymp","p_val":0.05},"preprocess":null,"reference":"sha256:…","type":"ks","version":1}
/// ```
///
/// `reference` is the (preprocessed) reference matrix, a `.npy` artifact of its own.
public struct DetectorArtifact: Sendable {
    public var type: DriftDetectorKind
    public var kind: String
    public var version: Int
    public var parameters: [String: JSONValue]
    public var reference: ArtifactID
    public var features: Int
    public var columns: [String]?
    /// The preprocessing: its type, its `--preprocess` text and its state artifact.
    public var preprocess: (type: String, spec: String, state: ArtifactID)?
    /// The fit's seed (LSDD draws its kernel centres from it when the detector is rebuilt).
    public var seed: UInt64

    static let marker = "detector"
    static let format = 1

    /// The canonical JSON bytes.
    public func encoded() throws -> [UInt8] {
        try JSONValue.object([
            "assay": .string(DetectorArtifact.marker),
            "format": JSONValue(DetectorArtifact.format),
            "type": .string(type.rawValue),
            "kind": .string(kind),
            "version": JSONValue(version),
            "parameters": .object(parameters),
            "reference": .string(reference.rawValue),
            "features": JSONValue(features),
            "columns": columns.map { .array($0.map(JSONValue.string)) } ?? .null,
            "preprocess": preprocess.map { .object(["type": .string($0.type), "spec": .string($0.spec), "state": .string($0.state.rawValue)]) } ?? .null,
            "seed": JSONValue(seed),
        ]).canonicalBytes()
    }

    /// Reads a detector artifact; `place` names it in errors.
    /// - Throws: ``PipelineError`` when the bytes are not a detector artifact of a known format.
    public static func decode(_ bytes: [UInt8], place: String) throws(PipelineError) -> DetectorArtifact {
        func notDetector(_ why: String) -> PipelineError {
            .invalidInput(place: place, problem: "not a detector (\(why))", fix: "Pass a detector made by `assay detector fit`, by name or id.")
        }
        guard let value = try? JSONValue.parse(bytes), let o = value.objectValue else { throw notDetector("not a JSON object") }
        guard o["assay"]?.stringValue == marker else { throw notDetector("no \"assay\": \"detector\" marker") }
        guard o["format"]?.intValue == format else { throw notDetector("unknown format \(o["format"].map { "\($0)" } ?? "none")") }
        guard let typeText = o["type"]?.stringValue, let type = DriftDetectorKind(rawValue: typeText) else { throw notDetector("unknown detector type") }
        guard let kind = o["kind"]?.stringValue, let version = o["version"]?.intValue,
              let parameters = o["parameters"]?.objectValue, let refText = o["reference"]?.stringValue,
              let reference = ArtifactID(validating: refText), let features = o["features"]?.intValue else {
            throw notDetector("missing or malformed fields")
        }
        guard version == type.detectorVersion else {
            throw .invalidInput(place: place, problem: "was fitted with \(kind) version \(version); this Assay runs version \(type.detectorVersion)",
                                fix: "Fit the detector again, or use the Assay version that made it.")
        }
        let columns = o["columns"]?.arrayValue?.compactMap(\.stringValue)
        guard let seedText = o["seed"]?.integerDigits, let seed = UInt64(seedText) else { throw notDetector("missing seed") }
        var preprocess: (type: String, spec: String, state: ArtifactID)?
        if let p = o["preprocess"]?.objectValue {
            guard let t = p["type"]?.stringValue, let spec = p["spec"]?.stringValue, let stateText = p["state"]?.stringValue,
                  let state = ArtifactID(validating: stateText) else { throw notDetector("malformed preprocess") }
            preprocess = (t, spec, state)
        }
        return DetectorArtifact(type: type, kind: kind, version: version, parameters: parameters, reference: reference,
                                features: features, columns: columns, preprocess: preprocess, seed: seed)
    }
}
