import ArgumentParser
import AssayStore

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List recorded runs, newest first.",
        discussion: """
            Examples:
              assay log
              assay log --operation sample -n 5
              assay log --json
            """)

    @Option(help: "Only runs of this operation (import, sample, …).")
    var operation: String?

    @Option(name: [.short, .customLong("limit")], help: "At most this many runs.")
    var limit: Int?

    @OptionGroup var options: WorkspaceOptions

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
    }

    func run() throws {
        let ws = try options.open()
        let runs = try ws.runs(operation: operation, limit: limit)
        if options.json {
            try Output.json(runs)
            return
        }
        for r in runs {
            let ins = r.inputs.map { "\($0.role)=\($0.id.short)" }.joined(separator: " ")
            let outs = r.outputs.map { "\($0.role)=\($0.id.short)" }.joined(separator: " ")
            var text = "\(r.id)  \(r.startedAt)  \(Output.pad("\(r.operation) v\(r.operationVersion)", 12))  \(Output.pad(r.status.rawValue, 9))"
            if !ins.isEmpty { text += "  in: \(ins)" }
            if !outs.isEmpty { text += "  out: \(outs)" }
            if let e = r.error { text += "  error: \(e)" }
            Output.line(text)
        }
        Output.flush()
    }
}
