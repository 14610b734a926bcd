import ArgumentParser

struct DetectorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detector",
        abstract: "Fit detectors (drift) on reference data.",
        discussion: """
            Examples:
              assay detector fit ks --reference ref.csv --name detector:ks
              assay detector fit tabular --reference dataset:ref --param categorical=0,3 --name detector:tab
            """,
        subcommands: [Fit.self])
}
