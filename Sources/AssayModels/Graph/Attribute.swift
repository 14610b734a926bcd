/// A node attribute, as ONNX's `AttributeProto` carries it.
public enum Attribute: Sendable, Equatable {
    case float(Float)
    case int(Int64)
    case string(String)
    case tensor(ModelTensor)
    case floats([Float])
    case ints([Int64])
    case strings([String])
}
