import AssayStore

/// The JSON document stored as a fitted outlier detector's artifact (canonical JSON):
///
/// ```json
/// {"assay":"detector","columns":["a","b"],"family":"outlier","features":2,"format":1,
///  "kind":"outlier.mahalanobis","parameters":{"n_components":3,…},"reference":"sha256:…",
///  "seed":0,"state":"sha256:…","threshold":11.2,"type":"mahalanobis","version":1}
/// ```
///
/// `state` is the fitted model (`AnyOutlierDetector.stateBytes()`: the covariance and counts,
/// the trees, the reference rows or the trained network weights), an artifact of kind
/// `detector-state`; `reference` the reference matrix (`.npy`).
public struct OutlierDetectorArtifact: Sendable {
    public var type: OutlierDetectorKind
    public var kind: String
    public var version: Int
    public var parameters: [String: JSONValue]
    public var threshold: Double
    public var state: ArtifactID
    public var reference: ArtifactID
    public var features: Int
    public var columns: [String]?
    public var seed: UInt64

    public func encoded() throws -> [UInt8] {
        try JSONValue.object([
            "assay": .string(DetectorArtifact.marker),
            "format": JSONValue(DetectorArtifact.format),
            "family": .string("outlier"),
            "type": .string(type.rawValue),
            "kind": .string(kind),
            "version": JSONValue(version),
            "parameters": .object(parameters),
            "threshold": .double(threshold),
            "state": .string(state.rawValue),
            "reference": .string(reference.rawValue),
            "features": JSONValue(features),
            "columns": columns.map { .array($0.map(JSONValue.string)) } ?? .null,
            "seed": JSONValue(seed),
        ]).canonicalBytes()
    }

    /// Reads an outlier detector artifact, or returns nil when `bytes` is a detector of another
    /// family (a drift detector).
    public static func decodeIfOutlier(_ bytes: [UInt8], place: String) throws(PipelineError) -> OutlierDetectorArtifact? {
        guard let o = (try? JSONValue.parse(bytes))?.objectValue, o["assay"]?.stringValue == DetectorArtifact.marker,
              o["family"]?.stringValue == "outlier" else { return nil }
        func bad(_ why: String) -> PipelineError {
            .invalidInput(place: place, problem: "not an outlier detector (\(why))", fix: "Pass a detector made by `assay detector fit`, by name or id.")
        }
        guard o["format"]?.intValue == DetectorArtifact.format else { throw bad("unknown format") }
        guard let typeText = o["type"]?.stringValue, let type = OutlierDetectorKind(rawValue: typeText) else { throw bad("unknown type") }
        guard let kind = o["kind"]?.stringValue, let version = o["version"]?.intValue, let parameters = o["parameters"]?.objectValue,
              let threshold = o["threshold"]?.doubleValue, let state = o["state"]?.stringValue.flatMap(ArtifactID.init(validating:)),
              let reference = o["reference"]?.stringValue.flatMap(ArtifactID.init(validating:)), let features = o["features"]?.intValue,
              let seedText = o["seed"]?.integerDigits, let seed = UInt64(seedText) else { throw bad("missing or malformed fields") }
        guard version == type.detectorVersion else {
            throw .invalidInput(place: place, problem: "was fitted with \(kind) version \(version); this Assay runs version \(type.detectorVersion)",
                                fix: "Fit the detector again, or use the Assay version that made it.")
        }
        return OutlierDetectorArtifact(type: type, kind: kind, version: version, parameters: parameters, threshold: threshold, state: state,
                                       reference: reference, features: features, columns: o["columns"]?.arrayValue?.compactMap(\.stringValue), seed: seed)
    }

    /// Loads the fitted detector from the store.
    public func load(from workspace: Workspace) throws -> AnyOutlierDetector {
        try AnyOutlierDetector.load(type, bytes: try workspace.blobs.bytes(of: state), place: "detector state \(state.short)")
    }
}
