import ArgumentParser
import AssayPipeline
import AssayStore
import Foundation

struct ExplainerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explainer",
        abstract: "Fit explainers (anchors, Kernel SHAP) for a model on reference data.",
        discussion: """
            Examples:
              assay explainer fit anchor-tabular --model model:iris --reference iris.csv --name explainer:anchors
              assay explainer fit kernel-shap --model model:iris --reference iris.csv --param background=20 --name explainer:shap
              assay explain explainer:shap --input rows.csv --json
            """,
        subcommands: [Fit.self])

    struct Fit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit an explainer for a model (a recorded run).",
            discussion: """
                KIND is one of: \(ExplainerKind.allCases.map(\.rawValue).joined(separator: ", ")). AnchorImage: \
                image_shape=HxWxC (required; rows hold images channels last), SLIC superpixels \
                n_segments=10 compactness=10 sigma=0.5, p_sample=0.5, fudge=mean|VALUE (what replaces a \
                superpixel outside the anchor), and the search parameters below; the anchor comes \
                back as superpixel ids and a mask PNG artifact. AnchorTabular \
                parameters (Alibi Explain's names and defaults): threshold=0.95, delta=0.1, tau=0.15, \
                batch_size=100, coverage_samples=10000, beam_size=1, max_anchor_size, \
                disc_perc=25,50,75, min_samples_start=100; feature names come from the reference CSV \
                header, and `assay show EXPLAINER --json` shows the discretiser's edges. Kernel SHAP \
                parameters (shap's names): nsamples=auto|N (auto: 2·M + 2048 coalitions, capped at \
                2^M − 2, when all are enumerated the values are exact), link=identity|logit, \
                background=N (summarise the reference by seeded k-means to N weighted rows, as \
                shap.kmeans; default: every reference row). The model is an ONNX model artifact or \
                a remote endpoint (`assay model add`); its probabilities or scores are explained.

                Examples:
                  assay explainer fit anchor-tabular --model model:iris --reference iris.csv --param threshold=0.9 --name explainer:anchors
                  assay explainer fit anchor-image --model model:cnn --reference digits.npy --param image_shape=8x8x1 --name explainer:pixels
                  assay explainer fit kernel-shap --model model:iris --reference iris.csv --name explainer:shap
                  assay explainer fit kernel-shap --model model:iris --reference dataset:train --param background=20 --param link=logit --seed 7 --name explainer:shap-logit
                """)

        @Argument(help: "Explainer kind: \(ExplainerKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var kind: String

        @Option(help: "The model to explain: id, unique prefix or name.")
        var model: String

        @Option(help: "Reference data: an artifact id or name, or a file (CSV with header, .npy), which is added first.")
        var reference: String

        @Option(help: "A name for the fitted explainer, e.g. explainer:shap.")
        var name: String?

        @Option(name: .customLong("param"), help: ArgumentHelp("An explainer parameter, key=value (repeatable).", valueName: "key=value"))
        var parameters: [String] = []

        @Option(help: "Seed recorded with the fit (the background summary draws from it).")
        var seed: UInt64 = 0

        @OptionGroup var options: WorkspaceOptions

        func validate() throws {
            guard ExplainerKind(rawValue: kind) != nil else {
                throw ValidationError("unknown explainer kind \(kind.debugDescription). Use one of: \(ExplainerKind.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }

        func run() throws {
            let ws = try options.open()
            let modelID = try ws.resolveArtifact(model)
            let source = try DataArgument.resolve(reference, in: ws)
            let fit = try DataArgument.namingFiles([(reference, source)]) {
                try ExplainerOperations.fit(in: ws, type: ExplainerKind(rawValue: kind)!, model: modelID, source: source, name: name,
                                            assignments: parameters, seed: seed)
            }
            if options.json {
                try Output.json(JSONValue.object([
                    "explainer": .string(fit.explainer.rawValue), "run": .string(fit.run.id.rawValue), "kind": .string(fit.artifact.type.kind),
                    "model": .string(fit.artifact.model.rawValue), "background": .string(fit.artifact.background.rawValue),
                    "background_rows": JSONValue(fit.artifact.backgroundWeights.count), "features": JSONValue(fit.artifact.features),
                    "parameters": .object(fit.artifact.parameters),
                ]))
            } else {
                Output.line("\(fit.explainer)  \(fit.artifact.type.kind) for model \(fit.artifact.model.short), \(fit.artifact.type == .anchorImage ? "images \((fit.artifact.parameters["image_shape"]?.arrayValue ?? []).compactMap(\.intValue).map(String.init).joined(separator: "x")), SLIC superpixels" : fit.artifact.type == .anchorTabular ? "edges at \(fit.artifact.parameters["disc_perc"].flatMap { try? $0.canonicalString } ?? "?") percentiles" : "\(fit.artifact.backgroundWeights.count) background rows")\(name.map { "  \($0)" } ?? "")  (run \(fit.run.id))")
            }
            Output.flush()
        }
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain a model's outputs on some rows (a recorded run).",
        discussion: """
            AnchorTabular prints, per row, the anchor (IF predicates THEN class) with its precision, \
            coverage and model calls; with --json `anchor`, `precision`, `coverage`, `model_calls` \
            (one row) and `explanations` (every row, with examples). \
            Kernel SHAP prints, per row and output, each feature's attribution; with --json one \
            object with shap_values (per output, per row, per feature), expected_value, \
            raw_prediction, feature_names, model_calls and the ids. Model calls are counted and \
            bounded by --max-calls (the explanation fails before exceeding it, and says so); \
            progress goes to stderr on a terminal.

            Examples:
              assay explain explainer:shap --input rows.csv
              assay explain explainer:shap --input dataset:today --max-calls 50 --json
              assay explain explainer:shap --input rows.csv --out explanations/
            """)

    @Argument(help: "The explainer: id, unique prefix or name.")
    var explainer: String

    @Option(help: "The rows to explain: an artifact id or name, or a file (CSV with header, .npy), which is added first.")
    var input: String

    @Option(help: "The most model calls allowed.")
    var maxCalls: Int?

    @Option(help: "Seed of the coalition sampling.")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Also write the explanation document to DIR/explanation.json.", valueName: "dir"))
    var out: String?

    @OptionGroup var options: WorkspaceOptions

    func validate() throws {
        if let maxCalls, maxCalls < 1 { throw ValidationError("--max-calls must be at least 1.") }
    }

    func run() throws {
        let ws = try options.open()
        let explainerID = try ws.resolveArtifact(explainer)
        let inputID = try DataArgument.resolve(input, in: ws)
        let progress = Progress("explain", enabled: options.showsProgress)
        let started = Date()
        let r = try DataArgument.namingFiles([(input, inputID)]) {
            try ExplainerOperations.explain(in: ws, explainer: explainerID, input: inputID, maxCalls: maxCalls, seed: seed) { calls in
                progress.update(count: calls, total: maxCalls, unit: "model calls", started: started)
            }
        }
        progress.finish()
        let bytes = try r.document.canonicalBytes()
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try Data(bytes + [0x0a]).write(to: URL(fileURLWithPath: out).appendingPathComponent("explanation.json"))
            for (i, e) in (r.document["data"]?["explanations"]?.arrayValue ?? []).enumerated() {
                guard let id = e["mask_png"]?.stringValue.flatMap(ArtifactID.init(validating:)) else { continue }
                try Data(try ws.blobs.bytes(of: id)).write(to: URL(fileURLWithPath: out).appendingPathComponent("mask-\(i + 1).png"))
            }
        }
        if options.json {
            var doc = r.document.objectValue ?? [:]
            let data = doc.removeValue(forKey: "data")?.objectValue ?? [:]
            for (k, v) in data { doc[k] = v }
            doc["explanation"] = .string(r.explanation.rawValue)
            doc["run"] = .string(r.run.id.rawValue)
            Output.bytes(try JSONValue.object(doc).canonicalBytes() + [0x0a])
            Output.flush()
            return
        }
        let data = r.document["data"]
        if let list = data?["explanations"]?.arrayValue {
            Output.line("\(r.document["meta"]?["name"]?.stringValue ?? "?"): \(r.modelCalls) model calls  (explanation \(r.explanation.short), run \(r.run.id))")
            for (i, e) in list.enumerated() {
                let items = e["anchor"]?.arrayValue ?? []
                let anchor = items.compactMap(\.stringValue) + (e["mask_png"] == nil ? [] : ["superpixels \(items.compactMap(\.intValue))"])
                let precision = e["precision"]?.doubleValue ?? .nan, coverage = e["coverage"]?.doubleValue ?? .nan
                Output.line("row \(i + 1): IF \(anchor.isEmpty ? "(always)" : anchor.joined(separator: " AND ")) THEN class \(e["prediction"]?.intValue ?? -1)"
                            + String(format: "  (precision %.3f, coverage %.3f, %d calls)", precision, coverage, e["model_calls"]?.intValue ?? 0)
                            + (e["success"]?.boolValue == false ? "  — no anchor reached the precision threshold; best found" : "")
                            + (e["mask_png"]?.stringValue.map { "\n       mask \($0)" } ?? ""))
            }
            Output.flush()
            return
        }
        let names = (data?["feature_names"]?.arrayValue ?? []).compactMap(\.stringValue)
        let values = data?["shap_values"]?.arrayValue ?? []
        let expected = (data?["expected_value"]?.arrayValue ?? []).compactMap(\.doubleValue)
        Output.line("\(r.document["meta"]?["name"]?.stringValue ?? "?"): \(r.modelCalls) model calls  (explanation \(r.explanation.short), run \(r.run.id))")
        for (o, perRow) in values.enumerated() {
            for (i, row) in (perRow.arrayValue ?? []).enumerated() {
                let phi = (row.arrayValue ?? []).compactMap(\.doubleValue)
                let top = phi.indices.sorted { abs(phi[$0]) > abs(phi[$1]) || (abs(phi[$0]) == abs(phi[$1]) && $0 < $1) }.prefix(5)
                Output.line("row \(i + 1), output \(o) (expected \(o < expected.count ? String(format: "%.4g", expected[o]) : "?")): "
                            + top.map { "\($0 < names.count ? names[$0] : "f\($0)") \(String(format: "%+.4g", phi[$0]))" }.joined(separator: ", "))
            }
        }
        Output.flush()
    }
}
