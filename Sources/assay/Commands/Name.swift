import ArgumentParser
import AssayStore

struct Name: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Point a name at an artifact (names are mutable labels; ids never change).",
        discussion: """
            Every change is kept in the name history.

            Examples:
              assay name model:digits-mlp@v2 sha256:9f86d081
              assay name dataset:reference iris-sample --json
            """)

    @Argument(help: "The name, e.g. model:digits-mlp@v2.")
    var name: String

    @Argument(help: "An artifact id, unique id prefix, or existing name.")
    var artifact: String

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let ws = try options.open()
        let id = try ws.resolveArtifact(artifact)
        try ws.setName(name, to: id)
        if options.json {
            try Output.json(["name": name, "id": id.rawValue])
        } else {
            Output.line("\(name) -> \(id)")
        }
        Output.flush()
    }
}
