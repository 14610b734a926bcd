import ArgumentParser
import AssayPipeline
import AssayStore
import Foundation

extension DetectorCommand {
    struct Fit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit a drift or outlier detector on a reference matrix (a recorded run).",
            discussion: """
                KIND is a drift detector (\(DriftDetectorKind.allCases.map(\.rawValue).joined(separator: ", "))) or an \
                outlier detector (\(OutlierDetectorKind.allCases.map(\.rawValue).joined(separator: ", "))). \
                Parameters use Alibi Detect's names and defaults (p_val=0.05, correction=bonferroni|fdr, \
                drift_type=batch|feature; ks: alternative=two-sided|less|greater, method=asymp|exact|auto; \
                chisquare/tabular: categories_per_feature={"0":null,"3":4,"5":[1,2]} or categorical=0,3,5; \
                fet: alternative=greater|less|two-sided). Outlier detectors infer their threshold as the \
                threshold_perc percentile (default 95) of the reference's scores unless threshold=X is given; \
                mahalanobis: n_components=3, std_clip=3, start_clip=100, max_n; iforest: n_estimators=100, \
                max_samples=auto; knn: k=5; ae and vae (trained here, seeded, deterministic to the byte): \
                hidden=[32,16], latent_dim, epochs=20, batch_size=64, learning_rate=0.001, outlier_perc=100, \
                output_activation=linear|sigmoid, and for images a convolutional encoder: image_shape=HxWxC \
                conv_filters=[16,32] conv_kernel=4 conv_stride=2 (ReLU, same padding; the decoder stays dense); \
                vae: samples=10, beta=1, sim=0.05. A value is read as JSON when it parses as JSON, \
                otherwise as a string. The reference is a CSV with a header row, a NumPy .npy file, or an \
                artifact holding either.

                Examples:
                  assay detector fit ks --reference ref.csv --name detector:ks
                  assay detector fit ks --reference dataset:ref --param p_val=0.01 --param correction=fdr --name detector:ks-fdr
                  assay detector fit chisquare --reference cats.npy --param 'categories_per_feature={"0":3}' --name detector:chi
                  assay detector fit ks --reference images.npy --preprocess uae:dim=32 --seed 0 --name detector:uae-ks
                  assay detector fit mahalanobis --reference ref.csv --param threshold_perc=99 --name detector:maha
                  assay detector fit vae --reference digits.npy --param latent_dim=8 --param epochs=50 --seed 1 --name detector:vae
                """)

        @Argument(help: "Detector kind: \((DriftDetectorKind.allCases.map(\.rawValue) + OutlierDetectorKind.allCases.map(\.rawValue)).joined(separator: ", ")).")
        var kind: String

        @Option(help: "Reference data: an artifact id or name, or a file (CSV with header, .npy), which is added first.")
        var reference: String

        @Option(help: "A name for the fitted detector, e.g. detector:ks.")
        var name: String?

        @Option(name: .customLong("param"), help: ArgumentHelp("A detector parameter, key=value (repeatable).", valueName: "key=value"))
        var parameters: [String] = []

        @Option(help: ArgumentHelp("Preprocessing stored with the detector: pca:dim=16, uae:dim=32, uae:dim=32,shape=8x8x1.", valueName: "spec"))
        var preprocess: String?

        @Option(help: "Seed recorded with the fit.")
        var seed: UInt64 = 0

        @OptionGroup var options: WorkspaceOptions

        func validate() throws {
            guard DriftDetectorKind(rawValue: kind) != nil || OutlierDetectorKind(rawValue: kind) != nil else {
                throw ValidationError("unknown detector kind \(kind.debugDescription). Use one of: \((DriftDetectorKind.allCases.map(\.rawValue) + OutlierDetectorKind.allCases.map(\.rawValue)).joined(separator: ", ")).")
            }
            if OutlierDetectorKind(rawValue: kind) != nil, preprocess != nil {
                throw ValidationError("--preprocess applies to drift detectors; outlier detectors score the rows as given.")
            }
        }

        func run() throws {
            let ws = try options.open()
            if let outlier = OutlierDetectorKind(rawValue: kind) { return try fitOutlier(outlier, ws) }
            let type = DriftDetectorKind(rawValue: kind)!
            let source = try DataArgument.resolve(reference, in: ws)
            let fit = try DataArgument.namingFiles([(reference, source)]) {
                try DetectorOperations.fit(in: ws, type: type, source: source, name: name, assignments: parameters, preprocess: preprocess, seed: seed)
            }
            if options.json {
                struct View: Encodable {
                    var detector: String, reference: String, run: String, kind: String, features: Int, parameters: JSONValue
                }
                try Output.json(View(detector: fit.detector.rawValue, reference: fit.reference.rawValue, run: fit.run.id.rawValue,
                                     kind: fit.artifact.kind, features: fit.artifact.features, parameters: .object(fit.artifact.parameters)))
            } else {
                Output.line("\(fit.detector)  \(fit.artifact.kind) on \(fit.artifact.features) features\(name.map { "  \($0)" } ?? "")  (run \(fit.run.id))")
            }
            Output.flush()
        }
    }
}

extension DetectorCommand.Fit {
    func fitOutlier(_ type: OutlierDetectorKind, _ ws: Workspace) throws {
        let source = try DataArgument.resolve(reference, in: ws)
        let progress = Progress("train", enabled: options.showsProgress && (type == .ae || type == .vae))
        let started = Date()
        let epochs = parameters.first { $0.hasPrefix("epochs=") }.flatMap { Int($0.dropFirst(7)) } ?? 20
        let fit = try DataArgument.namingFiles([(reference, source)]) {
            try DetectorOperations.fitOutlier(in: ws, type: type, source: source, name: name, assignments: parameters, seed: seed) { epoch, _ in
                progress.update(count: epoch, total: epochs, unit: "epochs", started: started)
            }
        }
        progress.finish()
        if options.json {
            struct View: Encodable {
                var detector: String, reference: String, state: String, run: String, kind: String, features: Int, threshold: Double, parameters: JSONValue
            }
            try Output.json(View(detector: fit.detector.rawValue, reference: fit.reference.rawValue, state: fit.artifact.state.rawValue, run: fit.run.id.rawValue,
                                 kind: fit.artifact.kind, features: fit.artifact.features, threshold: fit.artifact.threshold, parameters: .object(fit.artifact.parameters)))
        } else {
            Output.line("\(fit.detector)  \(fit.artifact.kind) on \(fit.artifact.features) features, threshold \(fit.artifact.threshold)\(name.map { "  \($0)" } ?? "")  (run \(fit.run.id))")
        }
        Output.flush()
    }
}

/// Data arguments that may be a file (added to the store first) or an artifact reference.
enum DataArgument {
    static func resolve(_ text: String, in ws: Workspace) throws -> ArtifactID {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory), !isDirectory.boolValue {
            return try ws.add(fileAt: text, kind: "dataset").artifact.id
        }
        let looksLikePath = text.contains("/") || [".csv", ".npy", ".json"].contains(where: { text.hasSuffix($0) })
        let resolved = Result { () throws(StoreError) -> ArtifactID in try ws.resolveArtifact(text) }
        if case .failure(.unknownReference) = resolved, looksLikePath {
            throw StoreError.fileNotFound(path: text)
        }
        return try resolved.get()
    }

    /// Runs `body`; an input error that names one of `files`' artifacts by its short id names
    /// the file the user typed as well.
    static func namingFiles<T>(_ files: [(text: String, id: ArtifactID)], _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            guard let pipelineError = error as? PipelineError, case .invalidInput(let place, let problem, let fix) = pipelineError else { throw error }
            var named = place
            for (text, id) in files where place.hasPrefix(id.short) && text != id.rawValue {
                named = text + " (" + id.short + ")" + place.dropFirst(id.short.count)
            }
            throw PipelineError.invalidInput(place: named, problem: problem, fix: fix)
        }
    }
}
