import ArgumentParser
import AssayStore

struct Cat: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an artifact's bytes to stdout, verifying its hash.",
        discussion: """
            If the stored bytes no longer match the id, the bytes have been written already, then \
            an error is printed and the exit code is 1.

            Examples:
              assay cat iris | head
              assay cat sha256:1f2e3d4c > copy.csv
            """)

    @Argument(help: "An artifact id, unique id prefix, or name.")
    var artifact: String

    @Option(name: .long, help: ArgumentHelp("The workspace directory.", valueName: "DIR"))
    var workspace: String?

    func run() throws {
        let ws = try Workspace.locate(explicit: workspace)
        let id = try ws.resolveArtifact(artifact)
        try ws.blobs.read(id) { chunk in Output.raw(chunk) }
    }
}
