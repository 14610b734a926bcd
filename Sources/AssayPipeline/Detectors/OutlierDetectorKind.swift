import AssayDetectors
import AssayNumerics
import AssayStore

/// The outlier detectors `assay detector fit` knows, with Alibi Detect's parameter names and
/// defaults.
///
/// Every kind infers its threshold, unless `threshold` is given, as the `threshold_perc`
/// percentile (default 95, NumPy's linear percentile) of the reference's scores, as Alibi
/// Detect's `infer_threshold` does: Mahalanobis scores the reference (updating its online state,
/// as Alibi's does), kNN scores each reference row against the others (leave one out), the
/// isolation forest and the autoencoders score the rows they were fitted on.
public enum OutlierDetectorKind: String, Sendable, CaseIterable, Codable {
    case mahalanobis, iforest, knn, ae, vae

    /// Parameter names this kind accepts.
    public var parameterNames: [String] {
        let common = ["threshold", "threshold_perc"]
        let network = ["hidden", "latent_dim", "epochs", "batch_size", "learning_rate", "outlier_perc", "output_activation",
                       "image_shape", "conv_filters", "conv_kernel", "conv_stride"]
        switch self {
        case .mahalanobis: return common + ["n_components", "std_clip", "start_clip", "max_n"]
        case .iforest: return common + ["n_estimators", "max_samples"]
        case .knn: return common + ["k"]
        case .ae: return common + network
        case .vae: return common + network + ["samples", "beta", "sim"]
        }
    }

    /// The kind string in the lineage (`outlier.mahalanobis`, …).
    public var detectorKind: String { "outlier." + rawValue }

    /// The algorithm version.
    public var detectorVersion: Int {
        switch self {
        case .ae: AutoencoderOutlier.version
        case .vae: VAEOutlier.version
        default: 1
        }
    }

    /// Alibi Detect's class name, reported as `meta.name`.
    public var alibiName: String {
        switch self {
        case .mahalanobis: "Mahalanobis"
        case .iforest: "IForest"
        case .knn: "KNN"
        case .ae: "OutlierAE"
        case .vae: "OutlierVAE"
        }
    }

    /// Every parameter with its value (given or default), canonical.
    public func resolvedParameters(_ p: DetectorParameters, features: Int) throws(PipelineError) -> [String: JSONValue] {
        try p.requireOnly(parameterNames)
        var out: [String: JSONValue] = [
            "threshold_perc": .double(try p.number("threshold_perc", default: 95, in: 0...100)),
            "threshold": p["threshold"].map { v in v.isNull ? .null : v } ?? .null,
        ]
        if let t = p["threshold"], !t.isNull {
            guard let x = t.doubleValue, x.isFinite else {
                throw .invalidInput(place: "--param threshold", problem: "is not a finite number", fix: "Pass e.g. threshold=12.5, or leave it out to infer it from the reference.")
            }
            out["threshold"] = .double(x)
        }
        switch self {
        case .mahalanobis:
            out["n_components"] = JSONValue(try p.integer("n_components", default: 3, atLeast: 1))
            out["std_clip"] = .double(try p.number("std_clip", default: 3, in: 0...1e300))
            out["start_clip"] = JSONValue(try p.integer("start_clip", default: 100, atLeast: 0))
            out["max_n"] = p["max_n"].map { $0.isNull } ?? true ? .null : JSONValue(try p.integer("max_n", default: 1, atLeast: 1))
        case .iforest:
            out["n_estimators"] = JSONValue(try p.integer("n_estimators", default: 100, atLeast: 1))
            if let m = p["max_samples"], m.stringValue != "auto", !m.isNull {
                out["max_samples"] = JSONValue(try p.integer("max_samples", default: 256, atLeast: 2))
            } else {
                out["max_samples"] = .string("auto")
            }
        case .knn:
            out["k"] = JSONValue(try p.integer("k", default: 5, atLeast: 1))
        case .ae, .vae:
            let (defaultHidden, defaultLatent) = AutoencoderOutlier.defaultArchitecture(features: features)
            var hidden = defaultHidden
            if let h = p["hidden"], !h.isNull {
                let items = h.arrayValue ?? [h]
                hidden = []
                for item in items {
                    guard let n = item.intValue, n >= 1, n <= 1 << 16 else {
                        throw .invalidInput(place: "--param hidden", problem: "expected a list of layer widths such as [32,16]", fix: "Pass hidden=[32,16] or hidden=32.")
                    }
                    hidden.append(n)
                }
            }
            out["hidden"] = .array(hidden.map { JSONValue($0) })
            out["latent_dim"] = JSONValue(try p.integer("latent_dim", default: defaultLatent, atLeast: 1))
            out["epochs"] = JSONValue(try p.integer("epochs", default: 20, atLeast: 1))
            out["batch_size"] = JSONValue(try p.integer("batch_size", default: 64, atLeast: 1))
            out["learning_rate"] = .double(try p.number("learning_rate", default: 1e-3, in: 0...10, open: true))
            out["outlier_perc"] = .double(try p.number("outlier_perc", default: 100, in: 0...100))
            guard (out["outlier_perc"]?.doubleValue ?? 0) > 0 else {
                throw .invalidInput(place: "--param outlier_perc", problem: "must be above 0", fix: "Pass a percentage in (0, 100], e.g. 100.")
            }
            out["output_activation"] = .string(try p.choice("output_activation", default: NetworkActivation.linear).rawValue)
            out["conv"] = try Self.convolution(p, features: features).map { c in
                .object(["image_shape": .array(c.shape.map { JSONValue($0) }), "filters": .array(c.filters.map { JSONValue($0) }),
                         "kernel": JSONValue(c.kernel), "stride": JSONValue(c.stride)])
            } ?? .null
            if self == .vae {
                out["samples"] = JSONValue(try p.integer("samples", default: 10, atLeast: 1))
                out["beta"] = .double(try p.number("beta", default: 1, in: 0...1e6))
                out["sim"] = .double(try p.number("sim", default: 0.05, in: 0...1e6, open: true))
            }
        }
        return out
    }

    /// The convolutional encoder asked for by `image_shape=HxWxC` and `conv_filters=[16,32]`
    /// (`conv_kernel` default 4, `conv_stride` default 2), or nil.
    static func convolution(_ p: DetectorParameters, features: Int) throws(PipelineError) -> ConvolutionalEncoder? {
        let keys = ["image_shape", "conv_filters", "conv_kernel", "conv_stride"]
        guard keys.contains(where: { p[$0] != nil }) else { return nil }
        guard let shapeValue = p["image_shape"], let filtersValue = p["conv_filters"] else {
            throw .invalidInput(place: "--param image_shape / conv_filters", problem: "a convolutional encoder needs both",
                                fix: "Pass e.g. --param image_shape=8x8x1 --param conv_filters=[16,32].")
        }
        let dims = (shapeValue.stringValue ?? "").split(separator: "x").compactMap { Int($0) }
        guard dims.count == 3, dims.allSatisfy({ $0 >= 1 && $0 <= 4096 }) else {
            throw .invalidInput(place: "--param image_shape", problem: "expected HxWxC such as 32x32x3", fix: "Give the height, width and channels of each row's image.")
        }
        guard dims[0] * dims[1] * dims[2] == features else {
            throw .invalidInput(place: "--param image_shape", problem: "\(dims[0])x\(dims[1])x\(dims[2]) is \(dims[0] * dims[1] * dims[2]) values; the rows have \(features)",
                                fix: "Give the shape of the images the rows hold (channels last).")
        }
        let items = filtersValue.arrayValue ?? [filtersValue]
        var filters: [Int] = []
        for item in items {
            guard let n = item.intValue, n >= 1, n <= 4096 else {
                throw .invalidInput(place: "--param conv_filters", problem: "expected a list of filter counts such as [16,32]", fix: "Pass conv_filters=[16,32].")
            }
            filters.append(n)
        }
        guard !filters.isEmpty, filters.count <= 8 else {
            throw .invalidInput(place: "--param conv_filters", problem: "give 1 to 8 layers", fix: "Pass conv_filters=[16,32].")
        }
        let kernel = try p.integer("conv_kernel", default: 4, atLeast: 1)
        let stride = try p.integer("conv_stride", default: 2, atLeast: 1)
        guard kernel <= min(dims[0], dims[1]), stride <= kernel else {
            throw .invalidInput(place: "--param conv_kernel", problem: "a \(kernel)×\(kernel) kernel with stride \(stride) does not fit \(dims[0])×\(dims[1]) images",
                                fix: "Use a kernel no larger than the image and a stride no larger than the kernel.")
        }
        return ConvolutionalEncoder(shape: dims, filters: filters, kernel: kernel, stride: stride)
    }

    /// The stored `conv` parameter back as an encoder.
    static func convolution(_ value: JSONValue?) -> ConvolutionalEncoder? {
        guard let o = value?.objectValue, let shape = o["image_shape"]?.arrayValue?.compactMap(\.intValue),
              let filters = o["filters"]?.arrayValue?.compactMap(\.intValue), let kernel = o["kernel"]?.intValue, let stride = o["stride"]?.intValue else { return nil }
        return ConvolutionalEncoder(shape: shape, filters: filters, kernel: kernel, stride: stride)
    }

    /// Fits the detector on `reference` and settles its threshold.
    public func fit(parameters p: [String: JSONValue], reference: Tensor<Double>, seed: UInt64, pool: BlockPool?,
                    progress: ((Int, Double) -> Void)? = nil) throws -> AnyOutlierDetector {
        let reader = DetectorParameters(kind: rawValue, values: p)
        let percent = try reader.number("threshold_perc", default: 95)
        let given = p["threshold"]?.doubleValue
        var rng = SeededGenerator(seed: seed).child("detector.fit").child(detectorKind)
        switch self {
        case .mahalanobis:
            var d = try MahalanobisOutlier(nComponents: try reader.integer("n_components", default: 3, atLeast: 1),
                                           stdClip: try reader.number("std_clip", default: 3), startClip: try reader.integer("start_clip", default: 100, atLeast: 0),
                                           maxN: p["max_n"]?.intValue)
            let inferred = try d.inferThreshold(reference, thresholdPercent: percent)
            return .mahalanobis(d, threshold: given ?? inferred)
        case .iforest:
            let maxSamples = p["max_samples"]?.intValue
            let forest = try IsolationForest(fitting: reference, trees: try reader.integer("n_estimators", default: 100, atLeast: 1), maxSamples: maxSamples, rng: &rng)
            let threshold = try given ?? OutlierThreshold.percentile(forest.score(reference, pool: pool), percent)
            return .iforest(forest, threshold: threshold)
        case .knn:
            let knn = try KNNOutlier(reference: reference, k: try reader.integer("k", default: 5, atLeast: 1))
            let threshold = given ?? OutlierThreshold.percentile(knn.referenceScores(pool: pool), percent)
            return .knn(knn, threshold: threshold)
        case .ae:
            var ae = try AutoencoderOutlier.train(
                x: reference, hidden: (p["hidden"]?.arrayValue ?? []).compactMap(\.intValue), latent: try reader.integer("latent_dim", default: 2, atLeast: 1),
                outputActivation: try reader.choice("output_activation", default: NetworkActivation.linear),
                convolution: Self.convolution(p["conv"]),
                epochs: try reader.integer("epochs", default: 20, atLeast: 1), batchSize: try reader.integer("batch_size", default: 64, atLeast: 1),
                learningRate: try reader.number("learning_rate", default: 1e-3), rng: &rng, pool: pool, progress: progress)
            let outlierPercent = try reader.number("outlier_perc", default: 100)
            let inferred = try ae.inferThreshold(reference, outlierPercent: outlierPercent, thresholdPercent: percent, pool: pool)
            ae.threshold = given ?? inferred
            ae.outlierPercent = outlierPercent
            return .ae(ae)
        case .vae:
            var vae = try VAEOutlier.train(
                x: reference, hidden: (p["hidden"]?.arrayValue ?? []).compactMap(\.intValue), latent: try reader.integer("latent_dim", default: 2, atLeast: 1),
                outputActivation: try reader.choice("output_activation", default: NetworkActivation.linear),
                convolution: Self.convolution(p["conv"]),
                beta: try reader.number("beta", default: 1), reconstructionScale: try reader.number("sim", default: 0.05),
                epochs: try reader.integer("epochs", default: 20, atLeast: 1), batchSize: try reader.integer("batch_size", default: 64, atLeast: 1),
                learningRate: try reader.number("learning_rate", default: 1e-3), rng: &rng, pool: pool, progress: progress)
            vae.samples = try reader.integer("samples", default: 10, atLeast: 1)
            let outlierPercent = try reader.number("outlier_perc", default: 100)
            var thresholdRNG = SeededGenerator(seed: seed).child("detector.fit").child("threshold")
            let inferred = try vae.inferThreshold(reference, outlierPercent: outlierPercent, thresholdPercent: percent, rng: &thresholdRNG, pool: pool)
            vae.threshold = given ?? inferred
            vae.outlierPercent = outlierPercent
            return .vae(vae)
        }
    }
}

/// A fitted outlier detector, its threshold settled, behind one `predict`.
public enum AnyOutlierDetector: Sendable {
    case mahalanobis(MahalanobisOutlier, threshold: Double)
    case iforest(IsolationForest, threshold: Double)
    case knn(KNNOutlier, threshold: Double)
    case ae(AutoencoderOutlier)
    case vae(VAEOutlier)

    public var kind: OutlierDetectorKind {
        switch self {
        case .mahalanobis: .mahalanobis
        case .iforest: .iforest
        case .knn: .knn
        case .ae: .ae
        case .vae: .vae
        }
    }

    /// The threshold instance scores are compared with.
    public var threshold: Double {
        switch self {
        case .mahalanobis(_, let t), .iforest(_, let t), .knn(_, let t): t
        case .ae(let d): d.threshold ?? .infinity
        case .vae(let d): d.threshold ?? .infinity
        }
    }

    /// Scores and flags a batch. Mahalanobis updates its online state (Alibi's semantics); the
    /// VAE draws its latent samples from `rng`.
    public mutating func predict(_ x: Tensor<Double>, rng: inout SeededGenerator, pool: BlockPool?) throws -> OutlierResult {
        switch self {
        case .mahalanobis(var d, let t):
            let r = try d.predict(x, threshold: t)
            self = .mahalanobis(d, threshold: t)
            return r
        case .iforest(let d, let t):
            return OutlierResult(instanceScore: try d.score(x, pool: pool), threshold: t)
        case .knn(let d, let t):
            return OutlierResult(instanceScore: try d.score(x, pool: pool), threshold: t)
        case .ae(let d):
            return try d.predict(x, pool: pool)
        case .vae(let d):
            return try d.predict(x, rng: &rng, pool: pool)
        }
    }

    /// The detector's state as canonical JSON: `{"kind", "threshold", "model": …}`.
    public func stateBytes() throws -> [UInt8] {
        let model: [UInt8]
        switch self {
        case .mahalanobis(let d, _): model = try CanonicalJSON.encode(d)
        case .iforest(let d, _): model = try CanonicalJSON.encode(d)
        case .knn(let d, _): model = try CanonicalJSON.encode(d)
        case .ae(let d): model = try CanonicalJSON.encode(d)
        case .vae(let d): model = try CanonicalJSON.encode(d)
        }
        return try JSONValue.object([
            "kind": .string(kind.detectorKind),
            "threshold": threshold.isFinite ? .double(threshold) : .null,
            "model": try JSONValue.parse(model),
        ]).canonicalBytes()
    }

    /// Reads back ``stateBytes()``; `place` names the artifact in errors.
    public static func load(_ kind: OutlierDetectorKind, bytes: [UInt8], place: String) throws(PipelineError) -> AnyOutlierDetector {
        func bad(_ why: String) -> PipelineError {
            .invalidInput(place: place, problem: "not a \(kind.detectorKind) state (\(why))", fix: "Fit the detector again with `assay detector fit \(kind.rawValue)`.")
        }
        guard let doc = try? JSONValue.parse(bytes), doc["kind"]?.stringValue == kind.detectorKind, let model = doc["model"],
              let modelBytes = try? model.canonicalBytes() else { throw bad("malformed document") }
        guard let threshold = doc["threshold"]?.doubleValue else { throw bad("no threshold") }
        do {
            switch kind {
            case .mahalanobis: return .mahalanobis(try CanonicalJSON.decode(MahalanobisOutlier.self, from: modelBytes), threshold: threshold)
            case .iforest: return .iforest(try CanonicalJSON.decode(IsolationForest.self, from: modelBytes), threshold: threshold)
            case .knn: return .knn(try CanonicalJSON.decode(KNNOutlier.self, from: modelBytes), threshold: threshold)
            case .ae: return .ae(try CanonicalJSON.decode(AutoencoderOutlier.self, from: modelBytes))
            case .vae: return .vae(try CanonicalJSON.decode(VAEOutlier.self, from: modelBytes))
            }
        } catch {
            throw bad("\(error)")
        }
    }
}
