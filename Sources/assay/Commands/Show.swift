import ArgumentParser
import AssayStore

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe an artifact or a run.",
        discussion: """
            For an artifact: id, kind, size, names, the runs that produced and read it. For a run: \
            its recipe (operation, version, parameters, seed, inputs), digest, outputs, \
            environment, status and times.

            Examples:
              assay show iris
              assay show 0193a1b2 --json
            """)

    @Argument(help: "An artifact id, run id, unique prefix of either, or a name.")
    var reference: String

    @OptionGroup var options: WorkspaceOptions

    struct ArtifactView: Encodable {
        var type = "artifact"
        var artifact: ArtifactInfo
        var producedBy: [String]
        var readBy: [String]
        /// The document itself, for detectors and explainers (their parameters, thresholds, edges).
        var document: JSONValue?
        enum CodingKeys: String, CodingKey { case type, artifact, producedBy = "produced_by", readBy = "read_by", document }
    }

    struct RunView: Encodable {
        var type = "run"
        var run: RunInfo
    }

    func run() throws {
        let ws = try options.open()
        switch try ws.resolve(reference) {
        case .artifact(let id):
            guard let info = try ws.artifact(id) else { throw StoreError.unknownReference(reference) }
            let producers = try ws.producers(of: id)
            let consumers = try ws.consumers(of: id)
            if options.json {
                let document = ["detector", "explainer"].contains(info.kind) && info.size < 1 << 20
                    ? try? JSONValue.parse(try ws.blobs.bytes(of: id)) : nil
                try Output.json(ArtifactView(artifact: info, producedBy: producers.map(\.id.rawValue), readBy: consumers.map(\.id.rawValue), document: document))
                return
            }
            Output.line("artifact  \(info.id)")
            Output.line("kind      \(info.kind)")
            Output.line("size      \(info.size) bytes (\(Output.size(info.size)))")
            Output.line("created   \(info.createdAt)")
            Output.line("names     \(info.names.isEmpty ? "-" : info.names.joined(separator: ", "))")
            for p in producers {
                Output.line("made by   run \(p.id)  \(p.operation) v\(p.operationVersion)  \(p.startedAt)")
            }
            for c in consumers {
                Output.line("read by   run \(c.id)  \(c.operation) v\(c.operationVersion)  \(c.startedAt)")
            }
            if info.kind == "explainer", let doc = try? JSONValue.parse(try ws.blobs.bytes(of: id)), let edges = doc["edges"]?.arrayValue {
                let names = (doc["columns"]?.arrayValue ?? []).compactMap(\.stringValue)
                for (f, e) in edges.enumerated() {
                    let cuts = (e.arrayValue ?? []).compactMap(\.doubleValue).map { String(format: "%.2f", $0) }.joined(separator: ", ")
                    Output.line("edges     \(f < names.count ? names[f] : "f\(f)"): \(cuts.isEmpty ? "(categorical)" : cuts)")
                }
            }
        case .run(let id):
            guard let run = try ws.run(id) else { throw StoreError.unknownReference(reference) }
            if options.json {
                try Output.json(RunView(run: run))
                return
            }
            Output.line("run         \(run.id)")
            Output.line("operation   \(run.operation) v\(run.operationVersion)")
            Output.line("status      \(run.status.rawValue)\(run.error.map { ": \($0)" } ?? "")")
            Output.line("parameters  \((try? run.parameters.canonicalString) ?? "?")")
            Output.line("seed        \(run.seed.map(String.init) ?? "-")")
            Output.line("recipe      \(run.recipeDigest)")
            Output.line("started     \(run.startedAt)")
            Output.line("ended       \(run.endedAt)")
            for i in run.inputs { Output.line("input       \(i.role): \(i.id)") }
            for o in run.outputs { Output.line("output      \(o.role): \(o.id)") }
            Output.line("environment \((try? run.environment.canonicalString) ?? "?")")
        }
        Output.flush()
    }
}
