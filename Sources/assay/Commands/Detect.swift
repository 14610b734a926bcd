import ArgumentParser
import AssayPipeline
import AssayStore

struct Detect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply a fitted detector to a batch (a recorded run).",
        discussion: """
            For a drift detector, prints whether drift was detected; with --json, one object with \
            Alibi Detect's fields (is_drift, p_val, threshold, distance, distance_threshold) and the \
            detector, input, result and run ids. For an outlier detector, prints how many rows are \
            outliers and the highest scores; with --json, Alibi Detect's fields (is_outlier, \
            instance_score, feature_score, threshold) and the ids.

            Examples:
              assay detect detector:ks --input batch.csv
              assay detect detector:ks --input dataset:today --json
              assay detect detector:vae --input batch.npy --json
            """)

    @Argument(help: "The detector: id, unique prefix or name.")
    var detector: String

    @Option(help: "The batch: an artifact id or name, or a file (CSV with header, .npy), which is added first.")
    var input: String

    @Option(help: "Seed for detectors that draw randomness (permutation tests).")
    var seed: UInt64 = 0

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let ws = try options.open()
        let detectorID = try ws.resolveArtifact(detector)
        let inputID = try DataArgument.resolve(input, in: ws)
        let r = try DataArgument.namingFiles([(input, inputID)]) {
            try DetectorOperations.detect(in: ws, detector: detectorID, input: inputID, seed: seed)
        }
        if options.json {
            var doc = r.document.objectValue ?? [:]
            let data = doc.removeValue(forKey: "data")?.objectValue ?? [:]
            for (k, v) in data { doc[k] = v }
            doc["result"] = .string(r.result.rawValue)
            doc["run"] = .string(r.run.id.rawValue)
            Output.bytes(try JSONValue.object(doc).canonicalBytes() + [0x0a])
        } else if r.document["meta"]?["detector_type"]?.stringValue == "outlier" {
            let data = r.document["data"]
            let flags = (data?["is_outlier"]?.arrayValue ?? []).compactMap(\.intValue)
            let scores = (data?["instance_score"]?.arrayValue ?? []).compactMap(\.doubleValue)
            Output.line("outliers: \(flags.reduce(0, +)) of \(flags.count)  (\(r.document["meta"]?["name"]?.stringValue ?? "?"), result \(r.result.short), run \(r.run.id))")
            Output.line("threshold: \(data?["threshold"]?.doubleValue.map { "\($0)" } ?? "?")")
            let top = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }.prefix(5)
            if !top.isEmpty { Output.line("highest: " + top.map { "row \($0 + 1): \(scores[$0])" }.joined(separator: ", ")) }
        } else {
            let data = r.document["data"]
            let drift = data?["is_drift"]
            let flagged: Bool
            if let list = drift?.arrayValue { flagged = list.contains { ($0.intValue ?? 0) != 0 } } else { flagged = (drift?.intValue ?? 0) != 0 }
            Output.line("drift: \(flagged ? "yes" : "no")  (\(r.document["meta"]?["name"]?.stringValue ?? "?"), result \(r.result.short), run \(r.run.id))")
            if let p = data?["p_val"], let t = data?["threshold"] {
                Output.line("p_val: \((try? p.canonicalString) ?? "?")")
                Output.line("threshold: \((try? t.canonicalString) ?? "?")")
            }
            if let d = data?["distance"] { Output.line("distance: \((try? d.canonicalString) ?? "?")") }
        }
        Output.flush()
    }
}
