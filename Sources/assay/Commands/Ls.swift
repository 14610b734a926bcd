import ArgumentParser
import AssayStore

struct Ls: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List artifacts, newest first.",
        discussion: """
            Examples:
              assay ls
              assay ls --kind dataset
              assay ls --json | jq '.[].id'
            """)

    @Option(help: "Only artifacts of this kind.")
    var kind: String?

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let ws = try options.open()
        let list = try ws.artifacts(kind: kind)
        if options.json {
            try Output.json(list)
            return
        }
        for a in list {
            Output.line("\(a.id.short)  \(Output.pad(a.kind, 10))  \(Output.pad(Output.size(a.size), 10))  \(a.createdAt)  \(a.names.joined(separator: ", "))")
        }
        Output.flush()
    }
}
