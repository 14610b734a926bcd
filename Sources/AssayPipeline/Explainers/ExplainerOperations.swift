import AssayExplainers
import AssayNumerics
import AssayStore

/// The explainers `assay explainer fit` knows.
public enum ExplainerKind: String, Sendable, CaseIterable {
    case anchorTabular = "anchor-tabular"
    case anchorImage = "anchor-image"
    case kernelSHAP = "kernel-shap"

    /// Parameter names (Alibi Explain's and shap's).
    public var parameterNames: [String] {
        switch self {
        case .kernelSHAP: ["nsamples", "link", "background"]
        case .anchorTabular: ["threshold", "delta", "tau", "batch_size", "coverage_samples", "beam_size", "max_anchor_size", "disc_perc", "min_samples_start"]
        case .anchorImage: ["threshold", "delta", "tau", "batch_size", "coverage_samples", "beam_size", "max_anchor_size", "min_samples_start",
                            "image_shape", "n_segments", "compactness", "sigma", "p_sample", "fudge"]
        }
    }

    public var kind: String { "explainer." + rawValue.replacingOccurrences(of: "-", with: "_") }
    public var version: Int { 1 }
    /// Alibi Explain's class name.
    public var alibiName: String {
        switch self {
        case .kernelSHAP: "KernelShap"
        case .anchorTabular: "AnchorTabular"
        case .anchorImage: "AnchorImage"
        }
    }
}

/// The document stored as a fitted explainer (canonical JSON):
/// `{"assay":"explainer","background":"sha256:…","background_weights":[…],"columns":[…],
/// "features":4,"format":1,"kind":"explainer.kernel_shap","model":"sha256:…","parameters":{…},
/// "seed":0,"type":"kernel-shap","version":1}`. `background` is the (summarised) background
/// rows as `.npy`.
public struct ExplainerArtifact: Sendable {
    public var type: ExplainerKind
    public var parameters: [String: JSONValue]
    public var model: ArtifactID
    public var background: ArtifactID
    public var backgroundWeights: [Double]
    public var features: Int
    public var columns: [String]?
    public var seed: UInt64
    /// AnchorTabular: the discretiser's cut points per feature (empty for categorical ones).
    public var edges: [[Double]]? = nil

    static let marker = "explainer"

    public func encoded() throws -> [UInt8] {
        try JSONValue.object([
            "assay": .string(Self.marker), "format": 1, "type": .string(type.rawValue), "kind": .string(type.kind),
            "version": JSONValue(type.version), "parameters": .object(parameters), "model": .string(model.rawValue),
            "background": .string(background.rawValue), "background_weights": .array(backgroundWeights.map(JSONValue.double)),
            "features": JSONValue(features), "columns": columns.map { .array($0.map(JSONValue.string)) } ?? .null,
            "seed": JSONValue(seed),
            "edges": edges.map { .array($0.map { .array($0.map(JSONValue.double)) }) } ?? .null,
        ]).canonicalBytes()
    }

    public static func decode(_ bytes: [UInt8], place: String) throws(PipelineError) -> ExplainerArtifact {
        func bad(_ why: String) -> PipelineError {
            .invalidInput(place: place, problem: "not an explainer (\(why))", fix: "Pass an explainer made by `assay explainer fit`, by name or id.")
        }
        guard let o = (try? JSONValue.parse(bytes))?.objectValue, o["assay"]?.stringValue == marker else { throw bad("no \"assay\": \"explainer\" marker") }
        guard o["format"]?.intValue == 1, let typeText = o["type"]?.stringValue, let type = ExplainerKind(rawValue: typeText) else { throw bad("unknown format or type") }
        guard o["version"]?.intValue == type.version else {
            throw .invalidInput(place: place, problem: "was fitted by another version of \(type.rawValue)", fix: "Fit the explainer again.")
        }
        guard let parameters = o["parameters"]?.objectValue, let model = o["model"]?.stringValue.flatMap(ArtifactID.init(validating:)),
              let background = o["background"]?.stringValue.flatMap(ArtifactID.init(validating:)),
              let weights = o["background_weights"]?.arrayValue?.compactMap(\.doubleValue), let features = o["features"]?.intValue,
              let seedText = o["seed"]?.integerDigits, let seed = UInt64(seedText) else { throw bad("missing or malformed fields") }
        return ExplainerArtifact(type: type, parameters: parameters, model: model, background: background, backgroundWeights: weights,
                                 features: features, columns: o["columns"]?.arrayValue?.compactMap(\.stringValue), seed: seed,
                                 edges: o["edges"]?.arrayValue?.map { ($0.arrayValue ?? []).compactMap(\.doubleValue) })
    }
}

/// `assay explainer fit` and `assay explain`, as recorded runs.
public enum ExplainerOperations {
    public static let fitOperation = (name: "explainer.fit", version: 1)
    public static let explainOperation = (name: "explain", version: 1)

    public struct FitResult: Sendable {
        public var explainer: ArtifactID
        public var run: RunInfo
        public var artifact: ExplainerArtifact
    }

    /// Fits an explainer of `type` for the model artifact `model` on the reference matrix
    /// `source`: for Kernel SHAP, the background (all rows, or `background=N` k-means centres
    /// weighted by cluster size, seeded, as `shap.kmeans`). One `explainer.fit` run: inputs the
    /// model and the reference; outputs the background `.npy` and the explainer document.
    public static func fit(in workspace: Workspace, type: ExplainerKind, model: ArtifactID, source: ArtifactID, name: String?,
                           assignments: [String], seed: UInt64) throws -> FitResult {
        if let name { try Workspace.validateName(name) }
        let runner = try ModelRunner.load(model, from: workspace, purpose: "An explainer")
        let data = try MatrixData.load(source, from: workspace)
        let reference = data.tensor.rowMatrix()
        try MatrixData.requireFinite(reference, in: source)
        if let width = runner.inputWidth, width != reference.rowWidth {
            throw PipelineError.invalidInput(place: source.short, problem: "rows of \(reference.rowWidth) features; the model takes \(width)",
                                             fix: "Pass reference data with the model's input columns.")
        }
        let p = try DetectorParameters(kind: type.rawValue, assignments: assignments)
        try p.requireOnly(type.parameterNames)
        if type == .anchorTabular || type == .anchorImage {
            return try fitAnchors(type, in: workspace, model: model, source: source, reference: reference, columns: data.columns, p: p, name: name, seed: seed)
        }
        var resolved: [String: JSONValue] = [:]
        let summary: KernelSHAP.BackgroundSummary
        if let b = p["background"], !b.isNull {
            let n = try p.integer("background", default: 100, atLeast: 1)
            summary = .kmeans(n)
            resolved["background"] = JSONValue(n)
        } else {
            summary = .none
            resolved["background"] = .null
        }
        resolved["link"] = .string(try p.choice("link", default: KernelSHAP.Link.identity).rawValue)
        if let n = p["nsamples"], n.stringValue != "auto", !n.isNull {
            resolved["nsamples"] = JSONValue(try p.integer("nsamples", default: 2048, atLeast: 2))
        } else {
            resolved["nsamples"] = .string("auto")
        }
        let shap: KernelSHAP
        do {
            shap = try KernelSHAP(background: reference, summary: summary, link: KernelSHAP.Link(rawValue: resolved["link"]!.stringValue!)!,
                                  seed: seed)
        } catch {
            throw pipelineError(error, place: "\(source.short): kernel-shap")
        }
        let recipe = Recipe(operation: fitOperation.name, operationVersion: fitOperation.version,
                            parameters: .object(["type": .string(type.rawValue), "parameters": .object(resolved)]), seed: seed,
                            inputs: [RunArtifact(role: "model", id: model), RunArtifact(role: "reference", id: source)])
        let run = try workspace.beginRun(recipe)
        do {
            let background = try run.addOutput(bytes: NPYFormat.encode(shap.background), role: "background", kind: "matrix")
            let artifact = ExplainerArtifact(type: type, parameters: resolved, model: model, background: background,
                                             backgroundWeights: shap.backgroundWeights, features: reference.rowWidth, columns: data.columns, seed: seed)
            let id = try run.addOutput(bytes: try artifact.encoded(), role: "explainer", kind: "explainer")
            let info = try run.commit(names: name.map { [$0: id] } ?? [:])
            return FitResult(explainer: id, run: info, artifact: artifact)
        } catch {
            _ = try? run.fail(error)
            throw error
        }
    }

    /// Fits AnchorTabular: the discretiser's percentiles of the reference (which the sampler
    /// draws from), and the search parameters with Alibi Explain's defaults.
    static func fitAnchors(_ type: ExplainerKind, in workspace: Workspace, model: ArtifactID, source: ArtifactID, reference: Tensor<Double>, columns: [String]?,
                           p: DetectorParameters, name: String?, seed: UInt64) throws -> FitResult {
        var resolved: [String: JSONValue] = [
            "threshold": .double(try p.number("threshold", default: 0.95, in: 0...1)),
            "delta": .double(try p.number("delta", default: 0.1, in: 0...1, open: true)),
            "tau": .double(try p.number("tau", default: 0.15, in: 0...1, open: true)),
            "batch_size": JSONValue(try p.integer("batch_size", default: 100, atLeast: 1)),
            "coverage_samples": JSONValue(try p.integer("coverage_samples", default: 10_000, atLeast: 1)),
            "beam_size": JSONValue(try p.integer("beam_size", default: 1, atLeast: 1)),
            "min_samples_start": JSONValue(try p.integer("min_samples_start", default: 100, atLeast: 1)),
            "max_anchor_size": p["max_anchor_size"].map { $0.isNull } ?? true ? .null : JSONValue(try p.integer("max_anchor_size", default: 1, atLeast: 1)),
        ]
        if type == .anchorImage {
            let dims = (p["image_shape"]?.stringValue ?? "").split(separator: "x").compactMap { Int($0) }
            guard dims.count == 3, dims.allSatisfy({ $0 >= 1 && $0 <= 4096 }), dims[0] * dims[1] * dims[2] == reference.rowWidth else {
                throw PipelineError.invalidInput(place: "--param image_shape", problem: "expected HxWxC with H·W·C = \(reference.rowWidth), the reference's row width",
                                                 fix: "Pass e.g. --param image_shape=8x8x1 (rows hold images channels last).")
            }
            resolved["image_shape"] = .array(dims.map { JSONValue($0) })
            resolved["n_segments"] = JSONValue(try p.integer("n_segments", default: 10, atLeast: 1))
            resolved["compactness"] = .double(try p.number("compactness", default: 10, in: 0...1e6, open: true))
            resolved["sigma"] = .double(try p.number("sigma", default: 0.5, in: 0...100))
            resolved["p_sample"] = .double(try p.number("p_sample", default: 0.5, in: 0...1))
            let fudge = p["fudge"]
            if let fudge, !fudge.isNull, fudge.stringValue != "mean" {
                guard let v = fudge.doubleValue, v.isFinite else {
                    throw PipelineError.invalidInput(place: "--param fudge", problem: "expected mean or a value", fix: "Pass fudge=mean (each superpixel's mean colour) or e.g. fudge=0.")
                }
                resolved["fudge"] = .double(v)
            } else {
                resolved["fudge"] = .string("mean")
            }
            let explainer = try anchorImage(resolved)
            // The segmentation must fit the reference's first image.
            do { _ = try explainer.segments(Array(reference.row(0))) } catch { throw pipelineError(error, place: "\(source.short): anchor-image") }
            return try recordFit(type, in: workspace, model: model, source: source, reference: reference, resolved: resolved,
                                 columns: columns, edges: nil, name: name, seed: seed)
        }
        var percentiles = [25.0, 50, 75]
        if let d = p["disc_perc"] {
            let items = d.arrayValue ?? (d.stringValue.map { $0.split(separator: ",").map { JSONValue.string(String($0)) } } ?? [d])
            percentiles = []
            for item in items {
                guard let v = item.doubleValue ?? item.stringValue.flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }), v > 0, v < 100 else {
                    throw PipelineError.invalidInput(place: "--param disc_perc", problem: "expected percentiles between 0 and 100 such as 25,50,75", fix: "Pass disc_perc=25,50,75.")
                }
                percentiles.append(v)
            }
        }
        resolved["disc_perc"] = .array(percentiles.map(JSONValue.double))
        let names = columns ?? (0..<reference.rowWidth).map { "f\($0)" }
        let anchors: AnchorTabular
        do { anchors = try AnchorTabular(reference: reference, featureNames: names, discPerc: percentiles) } catch {
            throw pipelineError(error, place: "\(source.short): anchor-tabular")
        }
        return try recordFit(type, in: workspace, model: model, source: source, reference: reference, resolved: resolved,
                             columns: names, edges: anchors.edges, name: name, seed: seed)
    }

    /// The AnchorImage explainer of resolved parameters.
    static func anchorImage(_ resolved: [String: JSONValue]) throws -> AnchorImage {
        let dims = (resolved["image_shape"]?.arrayValue ?? []).compactMap(\.intValue)
        let slic = SLIC(nSegments: resolved["n_segments"]?.intValue ?? 10, compactness: resolved["compactness"]?.doubleValue ?? 10,
                        sigma: resolved["sigma"]?.doubleValue ?? 0.5)
        let perturbation: AnchorImage.Perturbation = resolved["fudge"]?.doubleValue.map { .fixed($0) } ?? .meanColour
        do { return try AnchorImage(shape: dims, segmentation: slic, perturbation: perturbation, pSample: resolved["p_sample"]?.doubleValue ?? 0.5) } catch {
            throw pipelineError(error, place: "anchor-image")
        }
    }

    /// Records an anchor explainer's fit: the reference rows (which the tabular sampler draws
    /// from) and the explainer document.
    static func recordFit(_ type: ExplainerKind, in workspace: Workspace, model: ArtifactID, source: ArtifactID, reference: Tensor<Double>,
                          resolved: [String: JSONValue], columns: [String]?, edges: [[Double]]?, name: String?, seed: UInt64) throws -> FitResult {
        let recipe = Recipe(operation: fitOperation.name, operationVersion: fitOperation.version,
                            parameters: .object(["type": .string(type.rawValue), "parameters": .object(resolved)]), seed: seed,
                            inputs: [RunArtifact(role: "model", id: model), RunArtifact(role: "reference", id: source)])
        let run = try workspace.beginRun(recipe)
        do {
            let background = try run.addOutput(bytes: NPYFormat.encode(reference), role: "background", kind: "matrix")
            let artifact = ExplainerArtifact(type: type, parameters: resolved, model: model, background: background, backgroundWeights: [],
                                             features: reference.rowWidth, columns: columns, seed: seed, edges: edges)
            let id = try run.addOutput(bytes: try artifact.encoded(), role: "explainer", kind: "explainer")
            let info = try run.commit(names: name.map { [$0: id] } ?? [:])
            return FitResult(explainer: id, run: info, artifact: artifact)
        } catch {
            _ = try? run.fail(error)
            throw error
        }
    }

    /// The anchor search's parameters, read from a fitted explainer's (Alibi Explain's names).
    struct AnchorSearch {
        var threshold, delta, tau: Double
        var batchSize, coverageSamples, beamSize, minSamplesStart: Int
        var maxAnchorSize: Int?

        init(_ parameters: [String: JSONValue]) throws {
            let p = DetectorParameters(kind: "anchors", values: parameters)
            threshold = try p.number("threshold", default: 0.95)
            delta = try p.number("delta", default: 0.1)
            tau = try p.number("tau", default: 0.15)
            batchSize = try p.integer("batch_size", default: 100, atLeast: 1)
            coverageSamples = try p.integer("coverage_samples", default: 10_000, atLeast: 1)
            beamSize = try p.integer("beam_size", default: 1, atLeast: 1)
            minSamplesStart = try p.integer("min_samples_start", default: 100, atLeast: 1)
            maxAnchorSize = parameters["max_anchor_size"]?.intValue
        }
    }

    /// Explains each row of `x` with `body` (one search after another, one model-call budget):
    /// `{"explanations": [each with its "model_calls"], "model_calls", …extra}`, and for a single
    /// row its `oneRowKeys` at the top as well.
    static func explainEachRow(_ x: Tensor<Double>, predictor: Predictor, extra: [String: JSONValue], oneRowKeys: [String],
                               _ body: (Int, [Double]) throws -> [String: JSONValue]) throws -> JSONValue {
        var explanations: [JSONValue] = []
        for r in 0..<x.rowCount {
            let before = predictor.calls
            var doc = try body(r, Array(x.row(r)))
            doc["model_calls"] = JSONValue(predictor.calls - before)
            explanations.append(.object(doc))
        }
        var data = extra
        data["explanations"] = .array(explanations)
        data["model_calls"] = JSONValue(predictor.calls)
        if explanations.count == 1, let only = explanations.first?.objectValue {
            for key in oneRowKeys { data[key] = only[key] }
        }
        return .object(data)
    }

    /// Anchors for each row of `x`.
    static func explainAnchors(_ artifact: ExplainerArtifact, background: Tensor<Double>, x: Tensor<Double>, predictor: Predictor,
                               rng: inout SeededGenerator) throws -> JSONValue {
        let names = artifact.columns ?? (0..<artifact.features).map { "f\($0)" }
        let anchors = try AnchorTabular(reference: background, featureNames: names,
                                        discPerc: (artifact.parameters["disc_perc"]?.arrayValue ?? []).compactMap(\.doubleValue))
        let s = try AnchorSearch(artifact.parameters)
        return try explainEachRow(x, predictor: predictor, extra: ["feature_names": .array(names.map(JSONValue.string))],
                                  oneRowKeys: ["anchor", "precision", "coverage", "prediction", "success"]) { _, row in
            let e = try anchors.explain(row, predictor: predictor, threshold: s.threshold, delta: s.delta, tau: s.tau, batchSize: s.batchSize,
                                        coverageSamples: s.coverageSamples, beamSize: s.beamSize, maxAnchorSize: s.maxAnchorSize,
                                        minSamplesStart: s.minSamplesStart, rng: &rng)
            return (try JSONValue.parse(try CanonicalJSON.encode(e))).objectValue ?? [:]
        }
    }

    /// Anchors for each image row of `x`; each anchor's mask is stored as a PNG (`store`) and
    /// named in the explanation by its id.
    static func explainImages(_ artifact: ExplainerArtifact, x: Tensor<Double>, predictor: Predictor, rng: inout SeededGenerator,
                              store: ([UInt8], Int) throws -> ArtifactID) throws -> JSONValue {
        let explainer = try anchorImage(artifact.parameters)
        let dims = (artifact.parameters["image_shape"]?.arrayValue ?? []).compactMap(\.intValue)
        let s = try AnchorSearch(artifact.parameters)
        return try explainEachRow(x, predictor: predictor, extra: [:],
                                  oneRowKeys: ["anchor", "precision", "coverage", "prediction", "success", "mask_png"]) { r, row in
            let e = try explainer.explain(row, predictor: predictor, threshold: s.threshold, delta: s.delta, tau: s.tau, batchSize: s.batchSize,
                                          coverageSamples: s.coverageSamples, beamSize: s.beamSize, maxAnchorSize: s.maxAnchorSize,
                                          minSamplesStart: s.minSamplesStart, rng: &rng)
            let mask = try store(GrayscalePNG.encode(e.mask.map { $0 == 0 ? 0 : 255 }, width: dims[1], height: dims[0]), r)
            var doc = (try JSONValue.parse(try CanonicalJSON.encode(e))).objectValue ?? [:]
            doc["mask_png"] = .string(mask.rawValue)
            doc["superpixels"] = JSONValue(Int((e.segments.max() ?? -1) + 1))
            return doc
        }
    }

    /// An explainer's error as an input error at `place`, its own problem and fix kept.
    static func pipelineError(_ error: any Error, place: String) -> PipelineError {
        switch error as? ExplainerError {
        case .budgetExhausted(let limit, let needed)?:
            return .invalidInput(place: place, problem: "the explanation needs more than the \(limit) model calls allowed (\(needed))",
                                 fix: "Raise --max-calls, or lower the sample sizes (nsamples and background for Kernel SHAP; batch_size for anchors).")
        case .modelFailed(let call, let problem)?:
            return .invalidInput(place: place, problem: "the model failed on call \(call): \(problem)",
                                 fix: "Check the model or its endpoint; the calls made are recorded with the failed run.")
        case .invalidData(let where_, let problem, let fix)?:
            return .invalidInput(place: "\(place), \(where_)", problem: problem, fix: fix)
        case .invalidParameter(let name, let problem, let valid)?:
            return .invalidInput(place: "\(place), parameter \(name)", problem: problem, fix: valid)
        case nil:
            if let p = error as? PipelineError { return p }
            return .invalidInput(place: place, problem: "\(error)", fix: "Check the explainer and the rows.")
        }
    }

    public struct ExplainResult: Sendable {
        public var explanation: ArtifactID
        public var document: JSONValue
        public var run: RunInfo
        public var modelCalls: Int
    }

    /// Explains the rows of the matrix artifact `input` with the explainer `explainer`, calling
    /// its model at most `maxCalls` times, as one `explain` run whose output is the explanation
    /// document (kind `explanation`): `{"data": {"shap_values": [output][row][feature],
    /// "expected_value", "raw_prediction", "feature_names", "model_calls", "model_rows"},
    /// "explainer", "input", "meta": {"name", "type", "version"}}`. `progress` gets the calls made.
    public static func explain(in workspace: Workspace, explainer: ArtifactID, input: ArtifactID, maxCalls: Int?, seed: UInt64,
                               progress: ((Int) -> Void)? = nil) throws -> ExplainResult {
        let artifact = try ExplainerArtifact.decode(try workspace.blobs.bytes(of: explainer), place: explainer.short)
        let runner = try ModelRunner.load(artifact.model, from: workspace, purpose: "An explainer")
        let background = try MatrixData.load(artifact.background, from: workspace).tensor.rowMatrix()
        let x = try MatrixData.load(input, from: workspace).tensor.rowMatrix()
        guard x.rowWidth == artifact.features else {
            throw PipelineError.invalidInput(place: input.short, problem: "rows of \(x.rowWidth) features; the explainer was fitted on \(artifact.features)",
                                             fix: "Pass rows with the reference's columns\(MatrixData.columnsHint(artifact.columns)).")
        }
        try MatrixData.requireFinite(x, in: input)
        if artifact.type != .kernelSHAP, x.rowCount > 100 {
            throw PipelineError.invalidInput(place: input.short, problem: "\(x.rowCount) rows; anchors are searched one row at a time", fix: "Explain at most 100 rows per run.")
        }
        let link = KernelSHAP.Link(rawValue: artifact.parameters["link"]?.stringValue ?? "identity") ?? .identity
        let nsamples: KernelSHAP.SampleCount = artifact.parameters["nsamples"]?.intValue.map { .count($0) } ?? .auto
        let recipe = Recipe(operation: explainOperation.name, operationVersion: explainOperation.version,
                            parameters: .object(["max_calls": maxCalls.map { JSONValue($0) } ?? .null]), seed: seed,
                            inputs: [RunArtifact(role: "explainer", id: explainer), RunArtifact(role: "model", id: artifact.model),
                                     RunArtifact(role: "background", id: artifact.background), RunArtifact(role: "input", id: input)])
        var document: JSONValue = .null
        var calls = 0
        let (id, info) = try workspace.record(recipe) { run in
            let predictor = Predictor(inputWidth: artifact.features, maxCalls: maxCalls) { rows in
                try runner.outputs(rows, place: "\(input.short): explanation rows", requestID: "\(run.id)")
            }
            predictor.progress = progress
            var rng = SeededGenerator(seed: seed).child("explain").child(artifact.type.kind)
            if artifact.type != .kernelSHAP {
                let data: JSONValue
                do {
                    data = artifact.type == .anchorTabular
                        ? try explainAnchors(artifact, background: background, x: x, predictor: predictor, rng: &rng)
                        : try explainImages(artifact, x: x, predictor: predictor, rng: &rng) { png, row in
                            try run.addOutput(bytes: png, role: "mask:\(row)", kind: "image-png")
                        }
                } catch {
                    throw pipelineError(error, place: "\(input.short): explainer \(explainer.short), after \(predictor.calls) model call\(predictor.calls == 1 ? "" : "s")")
                }
                calls = predictor.calls
                document = .object(["data": data, "explainer": .string(explainer.rawValue), "input": .string(input.rawValue),
                                    "meta": .object(["name": .string(artifact.type.alibiName), "type": .string(artifact.type.rawValue),
                                                     "version": JSONValue(artifact.type.version)])])
                return try run.addOutput(bytes: try document.canonicalBytes(), role: "explanation", kind: "explanation")
            }
            let shap = try KernelSHAP(background: background, weights: artifact.backgroundWeights, nsamples: nsamples, link: link, seed: artifact.seed)
            let e: KernelSHAPExplanation
            do { e = try shap.explain(x, predictor: predictor, rng: &rng) } catch {
                throw pipelineError(error, place: "\(input.short): explainer \(explainer.short), after \(predictor.calls) model call\(predictor.calls == 1 ? "" : "s")")
            }
            calls = e.modelCalls
            let names = artifact.columns ?? (0..<artifact.features).map { "f\($0)" }
            document = .object([
                "data": .object([
                    "shap_values": .array(e.shapValues.map { .array($0.map { .array($0.map(JSONValue.double)) }) }),
                    "expected_value": .array(e.expectedValue.map(JSONValue.double)),
                    "raw_prediction": .array(e.rawPrediction.map { .array($0.map(JSONValue.double)) }),
                    "feature_names": .array(names.map(JSONValue.string)),
                    "model_calls": JSONValue(e.modelCalls), "model_rows": JSONValue(e.modelRows),
                ]),
                "explainer": .string(explainer.rawValue), "input": .string(input.rawValue),
                "meta": .object(["name": .string(artifact.type.alibiName), "type": .string(artifact.type.rawValue),
                                 "version": JSONValue(artifact.type.version), "link": .string(link.rawValue)]),
            ])
            return try run.addOutput(bytes: try document.canonicalBytes(), role: "explanation", kind: "explanation")
        }
        return ExplainResult(explanation: id, document: document, run: info, modelCalls: calls)
    }
}
