import ArgumentParser

struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Import recorded production traffic (Seldon, KServe, V2, JSON Lines, CSV, NumPy).",
        discussion: """
            Examples:
              assay capture import seldon-requests.log --format seldon --name capture:iris
              assay capture import payloads.jsonl --format kserve --on-error skip --json
            """,
        subcommands: [Import.self])
}
