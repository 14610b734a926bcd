import ArgumentParser
import AssayPipeline
import AssayStore

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a model on a batch (a recorded run whose output holds every model output).",
        discussion: """
            The input matrix [N, k] is reshaped to the model's input [N, …] when the input's \
            non-batch dimensions multiply to k (64-column digit rows feed a [N, 1, 8, 8] network), \
            and converted to the input's type. With --json, prints one object whose "outputs" maps \
            each model output to {"dtype", "shape", "data"} (data flat, row-major), with the \
            model, input, predictions and run ids. ASSAY_THREADS sets the threads; outputs are \
            the same bytes with any number.

            Examples:
              assay predict model:digits-mlp@v1 --input digits.csv
              assay predict model:iris@remote --input dataset:iris --json
            """)

    @Argument(help: "The model: id, unique prefix or name.")
    var model: String

    @Option(help: "The batch: an artifact id or name, or a file (CSV with header, .npy), which is added first.")
    var input: String

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let ws = try options.open()
        let modelID = try ws.resolveArtifact(model)
        let inputID = try DataArgument.resolve(input, in: ws)
        let r = try DataArgument.namingFiles([(input, inputID)]) {
            try ModelOperations.predict(in: ws, model: modelID, input: inputID)
        }
        if options.json {
            var doc = r.document.objectValue ?? [:]
            doc.removeValue(forKey: "format")
            doc["predictions"] = .string(r.predictions.rawValue)
            doc["run"] = .string(r.run.id.rawValue)
            Output.bytes(try JSONValue.object(doc).canonicalBytes() + [0x0a])
        } else {
            Output.line("predictions \(r.predictions.short)  (run \(r.run.id))")
            for (name, value) in (r.document["outputs"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                let shape = value["shape"].map { (try? $0.canonicalString) ?? "?" } ?? "?"
                let data = value["data"]?.arrayValue ?? []
                let preview = data.prefix(8).map { (try? $0.canonicalString) ?? "?" }.joined(separator: ", ")
                Output.line("\(name): \(value["dtype"]?.stringValue ?? "?") \(shape)  [\(preview)\(data.count > 8 ? ", …" : "")]")
            }
        }
        Output.flush()
    }
}
