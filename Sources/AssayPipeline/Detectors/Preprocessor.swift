import AssayNumerics
import AssayStore

/// Preprocessing stored with a detector (Alibi Detect's `preprocess_fn`): fitted or drawn at fit
/// time, applied to the reference once and to every batch.
///
/// - `pca:dim=K` — principal components fitted on the reference (Assay's deterministic Jacobi
///   PCA, matching scikit-learn's up to component signs).
/// - `uae:dim=K` — an untrained autoencoder (Failing Loudly): a randomly initialised encoder,
///   seeded from the fit's seed. Dense on flat rows; convolutional for images (`.npy` of shape
///   `[n, height, width, channels]`, or flat rows with `shape=HxWxC`, e.g. `uae:dim=32,shape=8x8x1`).
public enum Preprocessor: Sendable {
    case pca(PCA)
    case uae(UntrainedAutoencoder)

    /// A parsed `--preprocess` value.
    public struct Spec: Sendable, Equatable {
        public var type: String
        public var dimension: Int
        public var imageShape: [Int]?

        /// The canonical text form, recorded in the fit's parameters.
        public var text: String {
            "\(type):dim=\(dimension)" + (imageShape.map { ",shape=" + $0.map(String.init).joined(separator: "x") } ?? "")
        }

        /// Parses `pca:dim=16`, `uae:dim=32`, `uae:dim=32,shape=8x8x1`.
        public init(parsing text: String) throws(PipelineError) {
            func bad(_ why: String) -> PipelineError {
                .invalidInput(place: "--preprocess \(text)", problem: why, fix: "Write pca:dim=16, uae:dim=32 or uae:dim=32,shape=8x8x1.")
            }
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, ["pca", "uae"].contains(parts[0]) else { throw bad("unknown preprocessing (pca or uae)") }
            type = parts[0]
            var dim: Int?
            var shape: [Int]?
            for option in parts[1].split(separator: ",") {
                let kv = option.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { throw bad("expected key=value, got \(option)") }
                switch kv[0] {
                case "dim":
                    guard let d = Int(kv[1]), d >= 1 else { throw bad("dim must be a positive whole number") }
                    dim = d
                case "shape" where type == "uae":
                    let dims = kv[1].split(separator: "x").compactMap { Int($0) }
                    guard dims.count == 3, dims.allSatisfy({ $0 >= 1 }) else { throw bad("shape must be HxWxC, e.g. 8x8x1") }
                    shape = dims
                default:
                    throw bad("unknown option \(kv[0])")
                }
            }
            guard let dim else { throw bad("dim is required") }
            dimension = dim
            imageShape = shape
        }
    }

    /// Fits (PCA) or draws (UAE) the preprocessor for `reference`.
    public static func fit(_ spec: Spec, reference: Tensor<Double>, seed: UInt64, pool: BlockPool?) throws -> Preprocessor {
        switch spec.type {
        case "pca":
            let m = reference.rowMatrix()
            guard spec.dimension <= m.rowWidth else {
                throw PipelineError.invalidInput(place: "--preprocess \(spec.text)", problem: "dim \(spec.dimension) exceeds the \(m.rowWidth) features",
                                                 fix: "Pass dim between 1 and \(m.rowWidth).")
            }
            return .pca(try PCA.fit(m, components: spec.dimension, pool: pool))
        default:
            let generator = SeededGenerator(seed: seed).child("preprocess.uae")
            let image = spec.imageShape ?? (reference.rank == 4 ? Array(reference.shape.dropFirst()) : nil)
            if let image {
                guard image.reduce(1, *) == reference.rowWidth else {
                    throw PipelineError.invalidInput(place: "--preprocess \(spec.text)", problem: "image shape \(image) holds \(image.reduce(1, *)) values, rows have \(reference.rowWidth)",
                                                     fix: "Give the shape of one image, height x width x channels.")
                }
                return .uae(try UntrainedAutoencoder.convolutional(imageShape: image, encodingDimension: spec.dimension, generator: generator))
            }
            return .uae(try UntrainedAutoencoder.dense(inputShape: [reference.rowWidth], encodingDimension: spec.dimension, generator: generator))
        }
    }

    /// Applies the preprocessor to rows of `x`.
    public func transform(_ x: Tensor<Double>, pool: BlockPool?) throws -> Tensor<Double> {
        switch self {
        case .pca(let p): return try p.transform(x.rowMatrix(), pool: pool)
        case .uae(let u): return try u.encode(x.rowMatrix().converted(to: Float.self), pool: pool).converted(to: Double.self)
        }
    }

    /// The type name stored in the detector artifact.
    public var type: String {
        switch self {
        case .pca: "pca"
        case .uae: "uae"
        }
    }

    /// The preprocessor's state as canonical JSON (its own artifact).
    public func stateBytes() throws -> [UInt8] {
        switch self {
        case .pca(let p): try CanonicalJSON.encode(p)
        case .uae(let u): try CanonicalJSON.encode(u)
        }
    }

    /// Reads a state artifact written by ``stateBytes()``.
    public static func load(type: String, bytes: [UInt8], place: String) throws -> Preprocessor {
        switch type {
        case "pca": return .pca(try CanonicalJSON.decode(PCA.self, from: bytes))
        case "uae": return .uae(try CanonicalJSON.decode(UntrainedAutoencoder.self, from: bytes))
        default:
            throw PipelineError.invalidInput(place: place, problem: "unknown preprocessing \(type)", fix: "Fit the detector again with this Assay.")
        }
    }
}
