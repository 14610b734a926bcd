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
    case uae(UntrainedAutoencoder, UAERecipe)

    /// What determines an untrained autoencoder: its architecture and seed. The weights are drawn
    /// again from these whenever the detector runs (a few milliseconds, against megabytes of
    /// weights to store), and checked against the recorded digest.
    public struct UAERecipe: Sendable, Equatable, Codable {
        /// `[features]` for the dense encoder, `[height, width, channels]` for the convolutional one.
        public var inputShape: [Int]
        public var convolutional: Bool
        public var encodingDimension: Int
        public var seed: UInt64
        /// `sha256:` of the weights (``UntrainedAutoencoder/weightsDigest()``).
        public var weightsDigest: String

        enum CodingKeys: String, CodingKey {
            case inputShape = "input_shape", convolutional, encodingDimension = "encoding_dimension", seed
            case weightsDigest = "weights_digest"
        }

        /// The encoder these describe.
        func build() throws -> UntrainedAutoencoder {
            let generator = SeededGenerator(seed: seed).child("preprocess.uae")
            if convolutional {
                return try UntrainedAutoencoder.convolutional(imageShape: inputShape, encodingDimension: encodingDimension, generator: generator)
            }
            return try UntrainedAutoencoder.dense(inputShape: inputShape, encodingDimension: encodingDimension, generator: generator)
        }
    }

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
            let image = spec.imageShape ?? (reference.rank == 4 ? Array(reference.shape.dropFirst()) : nil)
            if let image, image.reduce(1, *) != reference.rowWidth {
                throw PipelineError.invalidInput(place: "--preprocess \(spec.text)", problem: "image shape \(image) holds \(image.reduce(1, *)) values, rows have \(reference.rowWidth)",
                                                 fix: "Give the shape of one image, height x width x channels.")
            }
            var recipe = UAERecipe(inputShape: image ?? [reference.rowWidth], convolutional: image != nil,
                                   encodingDimension: spec.dimension, seed: seed, weightsDigest: "")
            let encoder = try recipe.build()
            recipe.weightsDigest = try encoder.weightsDigest()
            return .uae(encoder, recipe)
        }
    }

    /// Applies the preprocessor to rows of `x`.
    public func transform(_ x: Tensor<Double>, pool: BlockPool?) throws -> Tensor<Double> {
        switch self {
        case .pca(let p): return try p.transform(x.rowMatrix(), pool: pool)
        case .uae(let u, _): return try u.encode(x.rowMatrix().converted(to: Float.self), pool: pool).converted(to: Double.self)
        }
    }

    /// The type name stored in the detector artifact.
    public var type: String {
        switch self {
        case .pca: "pca"
        case .uae: "uae"
        }
    }

    /// The preprocessor's state as canonical JSON (its own artifact): the fitted PCA, or the
    /// autoencoder's recipe and weights digest.
    public func stateBytes() throws -> [UInt8] {
        switch self {
        case .pca(let p): try CanonicalJSON.encode(p)
        case .uae(_, let recipe): try CanonicalJSON.encode(recipe)
        }
    }

    /// Reads a state artifact written by ``stateBytes()``.
    public static func load(type: String, bytes: [UInt8], place: String) throws -> Preprocessor {
        switch type {
        case "pca": return .pca(try CanonicalJSON.decode(PCA.self, from: bytes))
        case "uae":
            let recipe = try CanonicalJSON.decode(UAERecipe.self, from: bytes)
            let encoder = try recipe.build()
            let digest = try encoder.weightsDigest()
            guard digest == recipe.weightsDigest else {
                throw PipelineError.invalidInput(place: place, problem: "the untrained autoencoder drawn again from its seed has weights \(digest), the fit recorded \(recipe.weightsDigest)",
                                                 fix: "This Assay draws the weights differently from the one that fitted the detector: fit it again, or use that version.")
            }
            return .uae(encoder, recipe)
        default:
            throw PipelineError.invalidInput(place: place, problem: "unknown preprocessing \(type)", fix: "Fit the detector again with this Assay.")
        }
    }
}
