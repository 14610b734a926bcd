import ArgumentParser
import AssayStore

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a new workspace (artifacts/ and lineage/lineage.sqlite).",
        discussion: """
            Examples:
              assay init                 # in the current directory
              assay init ~/audits/fraud-model --json
            """)

    @Argument(help: "Directory to make the workspace in (created if missing).")
    var directory: String = "."

    @Flag(name: .long, help: "Print one JSON document on stdout.")
    var json = false

    func run() throws {
        let ws = try Workspace.initialize(at: directory)
        if json {
            try Output.json(["workspace": ws.root])
        } else {
            Output.line("Initialized an empty Assay workspace in \(ws.root)")
        }
        Output.flush()
    }
}
