import ArgumentParser
import AssayStore

struct Lineage: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show where an artifact or run came from (--up) or what came of it (--down).",
        discussion: """
            The walk is one recursive SQL query over the lineage. Edges point in data-flow \
            direction: an input artifact to the run that read it, a run to the artifact it wrote.

            Examples:
              assay lineage iris-sample --up
              assay lineage iris --down --depth 2
              assay lineage iris-sample --format dot | dot -Tsvg > lineage.svg
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, dot }

    @Argument(help: "An artifact id, run id, unique prefix of either, or a name.")
    var reference: String

    @Flag(name: .customLong("up"), help: "Walk towards the causes (default).")
    var up = false

    @Flag(name: .customLong("down"), help: "Walk towards the effects.")
    var down = false

    @Option(help: "At most this many edges away from the start.")
    var depth: Int?

    @Option(help: "Output format: text, json or dot.")
    var format: Format = .text

    @OptionGroup var options: WorkspaceOptions

    func validate() throws {
        if up && down { throw ValidationError("Pass --up or --down, not both.") }
        if let depth, depth < 0 { throw ValidationError("--depth must be 0 or more.") }
    }

    func run() throws {
        let ws = try options.open()
        let root = try ws.resolve(reference)
        let graph = try ws.lineage(of: root, direction: down ? .down : .up, depth: depth)
        if options.json || format == .json {
            Output.bytes(graph.canonicalJSON() + [0x0a])
            return
        }
        switch format {
        case .dot:
            Output.line(graph.dot())
        default:
            for line in graph.textLines() { Output.line(line) }
        }
        Output.flush()
    }
}
