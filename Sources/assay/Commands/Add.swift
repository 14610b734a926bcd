import ArgumentParser
import AssayStore
import Foundation

struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store a file as an artifact (recorded as an import run).",
        discussion: """
            The file is streamed: any size is added in bounded memory. Adding the same bytes twice \
            gives the same id and one blob.

            Examples:
              assay add iris.csv --kind dataset --name iris
              assay add model.onnx --kind model --name model:digits-mlp@v1
              assay add traffic.jsonl --json
            """)

    @Argument(help: "The file to add.")
    var file: String

    @Option(help: "A label for what the artifact is: dataset, model, capture, …")
    var kind: String = "blob"

    @Option(help: "A name to point at the artifact, e.g. dataset:iris.")
    var name: String?

    @OptionGroup var options: WorkspaceOptions

    func validate() throws {
        if kind.isEmpty || kind.contains(where: { $0.isWhitespace }) {
            throw ValidationError("--kind must be a non-empty word such as dataset, model or capture.")
        }
    }

    func run() throws {
        let ws = try options.open()
        let total = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? nil
        let progress = Progress("adding \((file as NSString).lastPathComponent)", enabled: options.showsProgress)
        let result = try ws.add(fileAt: file, kind: kind, name: name) { done in progress.update(done: done, total: total) }
        progress.finish()
        if options.json {
            try Output.json(result)
        } else {
            let a = result.artifact
            var text = "\(a.id)  \(a.kind)  \(Output.size(a.size))"
            if let name { text += "  \(name)" }
            if result.deduplicated { text += "  (already stored)" }
            Output.line(text)
        }
        Output.flush()
    }
}
