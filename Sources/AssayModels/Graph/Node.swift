/// One operator application in a graph.
///
/// Input and output names are graph edge names; an empty input name is an omitted optional
/// input, as in ONNX.
public struct Node: Sendable, Equatable {
    public var name: String
    public var opType: String
    /// `""` or `"ai.onnx"` for the standard operators, `"ai.onnx.ml"` for the ML ones.
    public var domain: String
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: [String: Attribute]

    public init(name: String, opType: String, domain: String = "", inputs: [String], outputs: [String],
                attributes: [String: Attribute] = [:]) {
        self.name = name
        self.opType = opType
        self.domain = domain
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }

    /// The domain with ONNX's alias resolved: `"ai.onnx"` is the default domain `""`.
    public var canonicalDomain: String { domain == "ai.onnx" ? "" : domain }
}
