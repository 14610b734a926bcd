import ArgumentParser
import AssayModels
import AssayPipeline
import AssayStore

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Add models: ONNX files run in-process, or Open Inference Protocol endpoints.",
        discussion: """
            Examples:
              assay model add digits-mlp.onnx --name model:digits-mlp@v1
              assay model add http://127.0.0.1:8080/v2/models/iris --name model:iris@remote
            """,
        subcommands: [ModelAdd.self])
}

struct ModelAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Record a model and show its inputs, outputs, opsets and operators.",
        discussion: """
            An ONNX file is checked before it is stored: a valid graph whose operators Assay runs \
            (scikit-learn exports through skl2onnx: linear models, scalers, tree ensembles, ZipMap; \
            dense and convolutional nets: Gemm, MatMul, Conv, BatchNormalization, pooling, \
            activations, Softmax). A URL names a model served with the Open Inference Protocol \
            (KServe V2: MLServer, KServe, Triton); Assay records the URL and the metadata the \
            server reports, and predictions through it record the model version it answers with.

            Examples:
              assay model add digits-mlp.onnx --name model:digits-mlp@v1
              assay model add http://127.0.0.1:8080/v2/models/iris --name model:iris@remote --json
            """)

    @Argument(help: "An .onnx file, or a model URL http://HOST:PORT/v2/models/NAME[/versions/V].")
    var model: String

    @Option(help: "A name to point at the model, e.g. model:digits-mlp@v1.")
    var name: String?

    @Option(help: "Seconds to wait for a remote server's answer.")
    var timeout: Double = 30

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let ws = try options.open()
        let isURL = model.hasPrefix("http://") || model.hasPrefix("https://")
        let result = isURL
            ? try ModelOperations.addRemote(in: ws, url: model, name: name, timeout: timeout)
            : try ModelOperations.addONNX(in: ws, file: model, name: name)
        let summary = result.artifact.summary
        if options.json {
            var doc = summary.objectValue ?? [:]
            doc["model"] = .string(result.model.rawValue)
            if let name { doc["name"] = .string(name) }
            Output.bytes(try JSONValue.object(doc).canonicalBytes() + [0x0a])
        } else {
            var head = "\(result.model)  \(isURL ? "remote-model" : "model")"
            if let name { head += "  \(name)" }
            if result.deduplicated { head += "  (already stored)" }
            Output.line(head)
            for key in ["url", "platform", "producer", "ir_version"] {
                if let v = summary[key], let text = v.stringValue ?? (try? v.canonicalString), !text.isEmpty { Output.line("\(key): \(text)") }
            }
            if let opsets = summary["opsets"]?.objectValue {
                Output.line("opsets: " + opsets.keys.sorted().map { "\($0.isEmpty ? "ai.onnx" : $0) \(opsets[$0]?.intValue ?? 0)" }.joined(separator: ", "))
            }
            for key in ["inputs", "outputs"] {
                Output.line("\(key):")
                for t in summary[key]?.arrayValue ?? [] {
                    let type = t["dtype"]?.stringValue ?? t["datatype"]?.stringValue ?? "?"
                    let shape = t["shape"].map { (try? $0.canonicalString) ?? "?" } ?? "?"
                    Output.line("  \(t["name"]?.stringValue ?? "?"): \(type) \(shape == "null" ? "(any shape)" : shape)")
                }
            }
            if let ops = summary["operators"]?.arrayValue {
                Output.line("operators: " + ops.compactMap(\.stringValue).joined(separator: ", "))
            }
        }
        Output.flush()
    }
}
