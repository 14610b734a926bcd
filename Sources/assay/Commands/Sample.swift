import ArgumentParser
import AssayPipeline
import AssayStore

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw rows without replacement from a CSV dataset (a seeded, recorded run).",
        discussion: """
            The header and the chosen rows are kept byte for byte, in their original order. The \
            same source, row count and seed always give the same artifact.

            Examples:
              assay sample iris --rows 50 --seed 7 --name iris-ref
              assay sample sha256:1f2e3d4c --rows 1000 --json
            """)

    @Argument(help: "The CSV artifact: id, unique prefix, or name.")
    var source: String

    @Option(help: "How many data rows to draw.")
    var rows: Int

    @Option(help: "Seed of the random draw.")
    var seed: UInt64 = 0

    @Option(help: "A name to point at the sample.")
    var name: String?

    @OptionGroup var options: WorkspaceOptions

    func validate() throws {
        if rows < 0 { throw ValidationError("--rows must be 0 or more.") }
    }

    func run() throws {
        let ws = try options.open()
        let id = try ws.resolveArtifact(source)
        let info = try DatasetSample.run(in: ws, source: id, rows: rows, seed: seed, name: name)
        if options.json {
            try Output.json(info)
        } else {
            let out = info.outputs.first.map(\.id.rawValue) ?? "-"
            Output.line("\(out)  sample of \(rows) rows, seed \(seed)  (run \(info.id))")
        }
        Output.flush()
    }
}
