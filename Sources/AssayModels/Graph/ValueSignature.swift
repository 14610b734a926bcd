/// A graph input or output as the model declares it: its name and its type.
///
/// Dimensions the model leaves open (a symbolic name such as `"N"` or `"batch"`, or no value
/// at all) are `nil`; a run may give any size there.
public struct ValueSignature: Sendable, Equatable, CustomStringConvertible {
    /// What flows along the edge.
    public enum Kind: Sendable, Equatable {
        /// A dense tensor. `shape` is nil when the model does not declare a rank.
        case tensor(elementType: ElementType, shape: [Int?]?)
        /// A sequence of maps (ZipMap's output): keys of `keyType`, float32 values.
        case sequenceOfMaps(keyType: ElementType, valueType: ElementType)
    }

    /// The edge name inputs are fed by and outputs are returned under.
    public let name: String
    /// The declared type.
    public let kind: Kind

    /// A signature; models build theirs when they load.
    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// `X: float32 [N, 4]`, `output_probability: sequence<map<int64, float32>>`.
    public var description: String {
        switch kind {
        case .tensor(let elementType, let shape):
            guard let shape else { return "\(name): \(elementType) (any shape)" }
            let dims = shape.map { $0.map(String.init) ?? "?" }.joined(separator: ", ")
            return "\(name): \(elementType) [\(dims)]"
        case .sequenceOfMaps(let keyType, let valueType):
            return "\(name): sequence<map<\(keyType), \(valueType)>>"
        }
    }
}
