/// The activation function applied after a layer's affine map.
public enum Activation: String, Sendable, Equatable, Codable, CaseIterable {
    /// The identity, Keras' `activation=None` / `'linear'`.
    case linear
    /// `max(0, v)`, computed as `v > 0 ? v : 0` (so `−0` becomes `+0`), Keras' `'relu'`.
    case relu

    /// Applies the activation to one value.
    @inline(__always)
    func apply(_ v: Float) -> Float {
        switch self {
        case .linear: return v
        case .relu: return v > 0 ? v : 0
        }
    }

    /// A one-byte code used in ``UntrainedAutoencoder/weightsDigest()``.
    var digestCode: UInt8 {
        switch self {
        case .linear: return 0
        case .relu: return 1
        }
    }
}
