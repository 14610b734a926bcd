/// A value flowing along a graph edge: a tensor, or the sequence of maps that ZipMap makes
/// (skl2onnx's default classifier probability output: one map from class label to probability
/// per row).
public enum ModelValue: Sendable, Equatable {
    case tensor(ModelTensor)
    /// One map per row; keys are the class labels (integers or strings), in the order of the
    /// ZipMap `classlabels_*` attribute.
    case sequenceOfMaps(keys: MapKeys, rows: [[Float]])

    /// The keys of a ZipMap output.
    public enum MapKeys: Sendable, Equatable {
        case int64([Int64])
        case string([String])
    }

    /// The tensor, or nil for a sequence of maps.
    public var tensor: ModelTensor? {
        if case .tensor(let t) = self { return t }
        return nil
    }
}
