import ArgumentParser
import AssayStore

/// The `assay` root command.
struct Assay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assay",
        abstract: "Reproducible, auditable monitoring of machine-learning models.",
        discussion: """
            Every operation is a recorded run; every artifact is stored once under the SHA-256 of \
            its bytes; lineage lives in lineage/lineage.sqlite.

            Examples:
              assay init demo && cd demo
              assay add iris.csv --kind dataset --name iris
              assay sample iris --rows 50 --seed 7 --name iris-ref
              assay lineage iris-ref --up

            Exit codes: 0 success, 1 a check ran and failed, 2 usage or input error, 3 internal error.
            """,
        version: AssayVersion.current,
        subcommands: [
            Init.self, Add.self, Cat.self, Show.self, Ls.self, Name.self,
            Log.self, Lineage.self, Fsck.self, Sample.self, ModelCommand.self, Predict.self, DetectorCommand.self, Detect.self, ExplainerCommand.self, Explain.self, CaptureCommand.self, Corrupt.self,
            Replay.self, Alerts.self, Metrics.self, Reproduce.self, Keygen.self, Export.self, Verify.self,
        ])
}

/// Flags shared by every command that works in a workspace.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The workspace directory (default: $ASSAY_WORKSPACE, else the nearest enclosing workspace).", valueName: "DIR"))
    var workspace: String?

    @Flag(name: .long, help: "Print one JSON document on stdout; errors go to stderr as JSON.")
    var json = false

    @Flag(name: [.short, .long], help: "Print no progress.")
    var quiet = false

    func open() throws -> Workspace {
        try Workspace.locate(explicit: workspace)
    }

    /// Whether progress may be drawn on stderr.
    var showsProgress: Bool { !json && !quiet && isatty(2) == 1 }
}

import Foundation
