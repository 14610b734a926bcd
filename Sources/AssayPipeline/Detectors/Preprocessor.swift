import AssayModels
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
/// - `bbsd:model=MODEL[,output=NAME]` — black-box shift detection (Lipton et al.): the outputs of
///   a model in the store (an ONNX model; its softmax probabilities, by default the first float
///   output of two dimensions or ZipMap's probabilities), as Alibi Detect's
///   `preprocess_drift` with a classifier. The model is an input of every detection.
public enum Preprocessor: Sendable {
    case pca(PCA)
    case uae(UntrainedAutoencoder, UAERecipe)
    case model(ONNXModel, ModelOutputs)

    /// Which model and which of its outputs feed the detector.
    public struct ModelOutputs: Sendable, Equatable, Codable {
        /// The model artifact id.
        public var model: String
        /// The output used.
        public var output: String
    }

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
        /// `bbsd`: the model as typed (id, prefix or name); resolved to a full id at fit.
        public var model: String?
        /// `bbsd`: the output to use, or nil for the default.
        public var output: String?

        /// The canonical text form, recorded in the fit's parameters.
        public var text: String {
            if type == "bbsd" { return "bbsd:model=\(model ?? "")" + (output.map { ",output=\($0)" } ?? "") }
            return "\(type):dim=\(dimension)" + (imageShape.map { ",shape=" + $0.map(String.init).joined(separator: "x") } ?? "")
        }

        /// Parses `pca:dim=16`, `uae:dim=32`, `uae:dim=32,shape=8x8x1`, `bbsd:model=model:clf@v1`,
        /// `bbsd:model=sha256:…,output=probabilities`.
        public init(parsing text: String) throws(PipelineError) {
            func bad(_ why: String) -> PipelineError {
                .invalidInput(place: "--preprocess \(text)", problem: why, fix: "Write pca:dim=16, uae:dim=32, uae:dim=32,shape=8x8x1 or bbsd:model=NAME[,output=OUTPUT].")
            }
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, ["pca", "uae", "bbsd"].contains(parts[0]) else { throw bad("unknown preprocessing (pca, uae or bbsd)") }
            type = parts[0]
            var dim: Int?
            var shape: [Int]?
            for option in parts[1].split(separator: ",") {
                let kv = option.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2, !kv[1].isEmpty else { throw bad("expected key=value, got \(option)") }
                switch kv[0] {
                case "dim" where type != "bbsd":
                    guard let d = Int(kv[1]), d >= 1 else { throw bad("dim must be a positive whole number") }
                    dim = d
                case "shape" where type == "uae":
                    let dims = kv[1].split(separator: "x").compactMap { Int($0) }
                    guard dims.count == 3, dims.allSatisfy({ $0 >= 1 }) else { throw bad("shape must be HxWxC, e.g. 8x8x1") }
                    shape = dims
                case "model" where type == "bbsd":
                    model = kv[1]
                case "output" where type == "bbsd":
                    output = kv[1]
                default:
                    throw bad("unknown option \(kv[0])")
                }
            }
            if type == "bbsd" {
                guard model != nil else { throw bad("model is required") }
                dimension = 0
            } else {
                guard let dim else { throw bad("dim is required") }
                dimension = dim
            }
            imageShape = shape
        }
    }

    /// Fits (PCA) or draws (UAE) the preprocessor for `reference`; for `bbsd`, loads the model
    /// from `workspace` (the spec's model must be a full id by then).
    public static func fit(_ spec: Spec, reference: Tensor<Double>, seed: UInt64, pool: BlockPool?, workspace: Workspace? = nil) throws -> Preprocessor {
        switch spec.type {
        case "bbsd":
            guard let workspace, let text = spec.model else {
                throw PipelineError.invalidInput(place: "--preprocess \(spec.text)", problem: "no model", fix: "Name a model added with assay model add.")
            }
            let id = try ArtifactID(text)
            return try loadModel(id, output: spec.output, from: workspace, place: "--preprocess \(spec.text)")
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
        case .model(let model, let outputs): return try Preprocessor.modelOutputs(model, output: outputs.output, x, pool: pool)
        }
    }

    /// A model artifact as a preprocessor, checking that it is an ONNX model with the output.
    static func loadModel(_ id: ArtifactID, output: String?, from workspace: Workspace, place: String) throws -> Preprocessor {
        guard case .onnx(let model) = try ModelArtifact.load(id, from: workspace) else {
            throw PipelineError.invalidInput(place: place, problem: "\(id.short) is a remote model", fix: "Black-box shift detection needs a model whose outputs can be reproduced: add the ONNX file.")
        }
        let names = model.outputs.map(\.name)
        let chosen: String
        if let output {
            guard names.contains(output) else {
                throw PipelineError.invalidInput(place: place, problem: "the model has no output \(output)", fix: "Pick one of: \(names.joined(separator: ", ")).")
            }
            chosen = output
        } else {
            chosen = try defaultOutput(of: model, place: place, fix: "Name the output to use with output=NAME.")
        }
        return .model(model, ModelOutputs(model: id.rawValue, output: chosen))
    }

    /// The output that stands for a model's predictions: its first float output of two
    /// dimensions (class probabilities), or its ZipMap probabilities.
    static func defaultOutput(of model: ONNXModel, place: String, fix: String) throws(PipelineError) -> String {
        let probabilities = model.outputs.first { signature in
            switch signature.kind {
            case .sequenceOfMaps: return true
            case .tensor(let type, let shape): return type == .float32 && (shape?.count ?? 2) == 2
            }
        }
        guard let probabilities else {
            throw PipelineError.invalidInput(place: place, problem: "the model has no float output of two dimensions (outputs: \(model.outputs.map(\.name).joined(separator: ", ")))",
                                             fix: fix)
        }
        return probabilities.name
    }

    /// The model's output `output` on the rows of `x`, as a matrix `[rows, classes]`.
    static func modelOutputs(_ model: ONNXModel, output: String, _ x: Tensor<Double>, pool: BlockPool?) throws -> Tensor<Double> {
        guard model.inputs.count == 1, case .tensor(let type, let shape) = model.inputs[0].kind else {
            throw PipelineError.invalidInput(place: "bbsd model", problem: "the model has \(model.inputs.count) inputs", fix: "Use a model with one tensor input.")
        }
        let name = model.inputs[0].name
        let input = try ModelOperations.inputTensor(x, name: name, type: type, shape: shape, place: "bbsd input")
        let outputs = try InferenceSession(model: model).run(inputs: [name: input], pool: pool)
        guard let value = outputs.first(where: { $0.name == output })?.value else {
            throw PipelineError.invalidInput(place: "bbsd model", problem: "no output \(output)", fix: "Fit the detector again.")
        }
        return try matrix(of: value, output: output, place: "bbsd model")
    }

    /// A model output as a matrix `[rows, values per row]` of doubles.
    static func matrix(of value: ModelValue, output: String, place: String) throws -> Tensor<Double> {
        switch value {
        case .sequenceOfMaps(_, let rows):
            let width = rows.first?.count ?? 0
            return try Tensor(shape: [rows.count, width], scalars: rows.flatMap { $0.map(Double.init) })
        case .tensor(let t):
            let values: [Double]
            switch t.storage {
            case .float(let v): values = v.map(Double.init)
            case .double(let v): values = v
            case .int64(let v): values = v.map(Double.init)
            default: throw PipelineError.invalidInput(place: place, problem: "output \(output) holds \(t.elementType)", fix: "Pick a numeric output.")
            }
            let rows = t.shape.first ?? 1
            return try Tensor(shape: [rows, rows == 0 ? 0 : values.count / rows], scalars: values)
        }
    }

    /// The type name stored in the detector artifact.
    public var type: String {
        switch self {
        case .pca: "pca"
        case .uae: "uae"
        case .model: "bbsd"
        }
    }

    /// The preprocessor's state as canonical JSON (its own artifact): the fitted PCA, or the
    /// autoencoder's recipe and weights digest.
    public func stateBytes() throws -> [UInt8] {
        switch self {
        case .pca(let p): try CanonicalJSON.encode(p)
        case .uae(_, let recipe): try CanonicalJSON.encode(recipe)
        case .model(_, let outputs): try CanonicalJSON.encode(outputs)
        }
    }

    /// The model artifact a `bbsd` state names, or nil for other preprocessing.
    public static func modelInput(type: String, bytes: [UInt8]) -> ArtifactID? {
        guard type == "bbsd", let state = try? CanonicalJSON.decode(ModelOutputs.self, from: bytes) else { return nil }
        return try? ArtifactID(state.model)
    }

    /// Reads a state artifact written by ``stateBytes()``; `workspace` holds a `bbsd` model.
    public static func load(type: String, bytes: [UInt8], place: String, workspace: Workspace? = nil) throws -> Preprocessor {
        switch type {
        case "bbsd":
            let state = try CanonicalJSON.decode(ModelOutputs.self, from: bytes)
            guard let workspace else { throw PipelineError.invalidInput(place: place, problem: "no workspace to load the model from", fix: "Run the detector in its workspace.") }
            return try loadModel(try ArtifactID(state.model), output: state.output, from: workspace, place: place)
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
